/**
 * Decimal-safe rounding of prices and amounts to a market's tick and step sizes.
 *
 * Values are JS numbers, but every number that leaves the process (sent to an exchange, stored,
 * shown) is first snapped to its grid here, and formatted with exactly the grid's decimals, so
 * float drift (0.1 + 0.2) never reaches an order or a reply.
 */

/** Number of decimals in a step such as 0.001 (3), 1e-8 (8), 5 (0), 0.5 (1). */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step) || step <= 0) throw new RangeError(`step must be a positive number, got ${step}`);
  const s = step.toString();
  const exp = /e-(\d+)$/.exec(s);
  if (exp) {
    const mantissa = s.slice(0, s.indexOf('e'));
    const frac = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
    return Number(exp[1]) + frac;
  }
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Relative tolerance for values that are a hair under a grid point because of binary floats. */
const EPS = 1e-9;

function snap(value: number, step: number, mode: 'floor' | 'ceil' | 'round'): number {
  const units = value / step;
  let n: number;
  if (mode === 'floor') n = Math.floor(units + EPS);
  else if (mode === 'ceil') n = Math.ceil(units - EPS);
  else n = Math.round(units);
  return Number((n * step).toFixed(decimalsOf(step)));
}

/** Largest grid point <= value (amounts round DOWN to the step). */
export const floorToStep = (value: number, step: number): number => snap(value, step, 'floor');
/** Smallest grid point >= value. */
export const ceilToStep = (value: number, step: number): number => snap(value, step, 'ceil');
/** Nearest grid point. */
export const roundToStep = (value: number, step: number): number => snap(value, step, 'round');

/**
 * A limit price rounded toward the passive side: a buy never pays more than asked (down),
 * a sell never accepts less (up).
 */
export function passivePrice(price: number, tick: number, side: 'buy' | 'sell'): number {
  return side === 'buy' ? floorToStep(price, tick) : ceilToStep(price, tick);
}

/** Formats a value with exactly the step's decimals (the string sent to exchanges and stored). */
export function formatToStep(value: number, step: number): string {
  return value.toFixed(decimalsOf(step));
}

/** Rounds a money amount for display or storage without grid (fees, PnL): 8 decimals, no -0. */
export function roundMoney(value: number, decimals = 8): number {
  const r = Number(value.toFixed(decimals));
  return Object.is(r, -0) ? 0 : r;
}
