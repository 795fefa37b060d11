/** Every bad setting gets one clear sentence naming the key; the registry ties schema, checks and factory together. */
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/engines/config/errors.js';
import { parseDuration } from '../../src/engines/config/fields.js';
import { gridSchema } from '../../src/engines/grid/config.js';
import { createEngine, parseStrategyConfig, strategies } from '../../src/engines/registry.js';
import { XYZ } from './helpers/rules.js';

const G = { lower: 90, upper: 110, lines: 5, investment: 1000 };
const gridError = (input: object): string => {
  const r = gridSchema.safeParse(input);
  return r.success ? 'valid' : formatConfigError(r.error);
};

describe('grid settings in one sentence', () => {
  it.each([
    [{ ...G, lines: 500 }, 'lines=500 is above the maximum of 200.'],
    [{ ...G, lines: 1 }, 'lines=1 is below the minimum of 2.'],
    [{ ...G, lines: 2.5 }, 'lines=2.5 must be a whole number.'],
    [{ ...G, lower: 60000, upper: 50000 }, 'upper=50000 must be above lower=60000.'],
    [{ lines: 5, investment: 10 }, 'lower and upper are required (or range_pct to center the range on the price at start).'],
    [{ lower: 100, lines: 5, investment: 10 }, 'upper is required with lower=100.'],
    [{ ...G, range_pct: 5 }, 'set either lower and upper, or range_pct, not both.'],
    [{ ...G, stop_loss: 95 }, 'stop_loss=95 must be below lower=90.'],
    [{ ...G, take_profit: 100 }, 'take_profit=100 must be above upper=110.'],
    [{ range_pct: 5, lines: 5, investment: 100, stop_loss: 80 }, 'with range_pct use stop_loss_pct and take_profit_pct (percent beyond the range), since prices are not known yet.'],
    [{ ...G, range_pct: undefined, spacing: 'fibonacci' }, 'spacing="fibonacci" must be arithmetic or geometric.'],
    [{ ...G, mode: 'yolo' }, 'mode="yolo" must be one of fixed, compound, earn_base.'],
    [{ ...G, investment: undefined }, 'investment is required.'],
    [{ ...G, investment: 'lots' }, 'investment must be a number, got "lots".'],
    [{ ...G, investment: -5 }, 'investment=-5 must be above 0.'],
    [{ ...G, sell_on_stop: 'maybe' }, 'sell_on_stop="maybe" must be yes or no.'],
    [{ ...G, range_pct: undefined, lines: 500, upper: 10 }, 'lines=500 is above the maximum of 200 (and 1 more problem).'],
  ])('%j -> %s', (input, message) => {
    expect(gridError(input)).toBe(message);
  });

  it('names unknown keys and lists the known ones', () => {
    expect(gridError({ ...G, lenes: 5 })).toBe('unknown setting "lenes" for grid (known: lower, upper, range_pct, lines, spacing, investment, base_investment, trigger, stop_loss, take_profit, stop_loss_pct, take_profit_pct, sell_on_stop, profit_spread, mode).');
  });

  it('takes values as typed on a Telegram command line', () => {
    const c = gridSchema.parse({ lower: '90', upper: '110', lines: '5', investment: '1_000', sell_on_stop: 'no', spacing: 'Geometric', profit_spread: '0.5%', mode: 'earn-base' });
    expect(c).toMatchObject({ lower: 90, upper: 110, lines: 5, investment: 1000, sell_on_stop: false, spacing: 'geometric', profit_spread: 0.5, mode: 'earn_base', base_investment: 0 });
  });

  it('reads durations', () => {
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration(90)).toBe(90_000);
    expect(parseDuration('soon')).toBeNaN();
  });
});

describe('registry', () => {
  it('knows the four strategies, each with a schema, a factory and a summary', () => {
    expect(Object.keys(strategies)).toEqual(['grid', 'dca', 'hybrid', 'trend']);
    const c = gridSchema.parse(G);
    expect(strategies.grid.describe(c, XYZ)).toBe('Grid XYZ/USDT: 5 arithmetic lines 90-110, 1000 USDT');
    expect(strategies.dca.describe(strategies.dca.schema.parse({ base_order: 20, safety_order: 40 }), XYZ)).toContain('needs up to');
    expect(strategies.trend.describe(strategies.trend.schema.parse({ investment: 500 }), XYZ)).toContain('EMA 12/26 cross');
    expect(strategies.hybrid.describe(strategies.hybrid.schema.parse({ range_pct: 10, investment: 500 }), XYZ)).toContain('accumulate with 5 buys');
  });

  it('creates an engine from raw settings or says why not, in one sentence', () => {
    expect(createEngine('grid', G, XYZ, { price: 100 }).ok).toBe(true);
    expect(createEngine('martingale', {}, XYZ)).toEqual({ ok: false, error: 'unknown strategy "martingale" (known: grid, dca, hybrid, trend)' });
    expect(createEngine('grid', { ...G, lines: 500 }, XYZ)).toEqual({ ok: false, error: 'lines=500 is above the maximum of 200.' });
    expect(createEngine('grid', { ...G, lines: 150 }, XYZ)).toEqual({ ok: false, error: 'spacing 0.12% per line does not beat twice the fee (0.20%): use fewer lines or a wider range.' });
    const small = createEngine('grid', { ...G, investment: 10 }, XYZ, { price: 100 });
    expect(small.ok ? '' : small.error).toMatch(/^investment=10 USDT is below the minimum of [\d.]+ USDT that 5 lines need at 100/);
    expect(createEngine('dca', { base_order: 2, safety_order: 10 }, XYZ)).toEqual({ ok: false, error: 'base_order=2 USDT is below the exchange minimum order value of 5 USDT.' });
    expect(parseStrategyConfig('trend', { investment: 100, fast: 50, slow: 20 })).toEqual({ ok: false, error: 'fast=50 must be below slow=20.' });
  });

  it('refuses a snapshot of another strategy in one sentence', () => {
    const snap = createEngine('grid', G, XYZ);
    expect(snap.ok).toBe(true);
    const s = snap.ok ? snap.value.snapshot() : undefined;
    expect(createEngine('dca', { base_order: 20, safety_order: 20 }, XYZ, { snapshot: s })).toEqual({ ok: false, error: 'the saved state is for a grid bot, not dca.' });
  });
});
