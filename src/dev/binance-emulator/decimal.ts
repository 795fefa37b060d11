/**
 * Exact decimals for the emulator: values as BigInt units of 1e-8 (Binance's own resolution), so
 * filter checks (step and tick multiples) and balances are exact.
 */
export const SCALE = 100_000_000n;
const DECIMALS = 8;

export class DecimalError extends Error {}

/** "0.00123" | 0.00123 -> 123000n. Throws DecimalError on garbage or more than 8 decimals. */
export function toUnits(v: string | number): bigint {
  const s = typeof v === 'number' ? v.toFixed(DECIMALS) : v.trim();
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DecimalError(`not a decimal: "${s}"`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > DECIMALS) throw new DecimalError(`more than ${DECIMALS} decimals: "${s}"`);
  const units = BigInt(m[2] || '0') * SCALE + BigInt(frac.padEnd(DECIMALS, '0') || '0');
  return m[1] ? -units : units;
}

/** 123000n -> "0.00123000" (Binance prints 8 decimals). */
export function fromUnits(u: bigint): string {
  const neg = u < 0n;
  const a = neg ? -u : u;
  const s = `${a / SCALE}.${(a % SCALE).toString().padStart(DECIMALS, '0')}`;
  return neg ? `-${s}` : s;
}

export function unitsToNumber(u: bigint): number {
  return Number(fromUnits(u));
}

/** a * b in units, truncated. */
export function mul(a: bigint, b: bigint): bigint {
  return (a * b) / SCALE;
}

export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
