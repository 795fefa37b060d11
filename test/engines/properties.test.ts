/**
 * Properties of every engine on random price paths, against the strict paper exchange:
 *  - no intent breaks precision, the minimums or the available balance (the exchange would refuse it),
 *    and the engine's own books agree with the exchange's balances;
 *  - the same inputs replayed give identical intents, events and state;
 *  - a state saved (through JSON) and restored mid-run changes nothing;
 *  - skipping candles inside the engine's wake range changes nothing (what the backtester relies on).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/engines/config/errors.js';
import { dcaBudget, dcaSchema } from '../../src/engines/dca/config.js';
import { createDcaEngine } from '../../src/engines/dca/engine.js';
import { gridSchema } from '../../src/engines/grid/config.js';
import { createGridEngine } from '../../src/engines/grid/engine.js';
import { hybridSchema } from '../../src/engines/hybrid/config.js';
import { createHybridEngine } from '../../src/engines/hybrid/engine.js';
import { trendSchema } from '../../src/engines/trend/config.js';
import { createTrendEngine } from '../../src/engines/trend/engine.js';
import type { Engine, EngineSnapshot } from '../../src/engines/types.js';
import type { MarketRules } from '../../src/exchange/types.js';
import { barsArb, type Bar } from './helpers/paths.js';
import { COARSE } from './helpers/rules.js';
import type { Factory, RunOptions } from './helpers/run.js';
import { probeWake, runBars } from './helpers/run.js';
import type { PaperSim } from './helpers/sim.js';

const FINE: MarketRules = { ...COARSE, symbol: 'XYZ/USDT', base: 'XYZ', tickSize: 0.01, stepSize: 0.001, minAmount: 0.001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 };
const rulesArb = fc.constantFrom(FINE, COARSE);
const simArb = fc.record({
  touch: fc.boolean(), partial: fc.boolean(), buyFeeIn: fc.constantFrom<'base' | 'quote'>('base', 'quote'),
  fillsOnly: fc.boolean(), duplicates: fc.boolean(), statusFirst: fc.boolean(),
  // Now and then the risk gate steps in.
  controls: fc.array(
    fc.record({ at: fc.nat({ max: 150 }), ev: fc.record({ type: fc.constant('control' as const), command: fc.constantFrom('reduce' as const, 'halt' as const, 'resume' as const), flatten: fc.boolean() }) }),
    { maxLength: 3 },
  ).map((cs) => (cs.length > 0 && cs[0]!.at % 3 === 0 ? cs : [])),
});
const RUNS = 100;

interface Case {
  make: Factory;
  rules: MarketRules;
  funds: { quote: number; base: number };
}

function tryCase(build: () => Case): Case | null {
  try {
    const c = build();
    c.make();
    return c;
  } catch (err) {
    if (err instanceof ConfigError) return null;
    throw err;
  }
}

function expectSound(sim: PaperSim): void {
  expect(sim.violations).toEqual([]);
  const b = sim.engine.balances();
  expect(Math.abs(b.quote - sim.quote)).toBeLessThan(1e-6 * Math.max(1, sim.quote));
  expect(Math.abs(b.base - sim.base)).toBeLessThan(1e-8 + 1e-9 * sim.base);
  expect(b.lockedQuote).toBeLessThanOrEqual(b.quote + 1e-7);
  expect(b.lockedBase).toBeLessThanOrEqual(b.base + 1e-9);
  expect(b.quote).toBeGreaterThan(-1e-7);
  expect(b.base).toBeGreaterThan(-1e-9);
  const seqs = sim.intents.filter((i) => i.kind === 'place').map((i) => i.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
}

/** No grid buy at the top line, no grid sell at the bottom line, ever. */
function expectGridEdges(sim: PaperSim): void {
  const prices = (sim.engine.snapshot().state as { grid: { prices: number[] } }).grid.prices;
  if (prices.length === 0) return;
  const top = prices[prices.length - 1]!;
  const bottom = prices[0]!;
  for (const it of sim.intents) {
    if (it.kind !== 'place' || it.type !== 'limit') continue;
    if (it.tag === 'grid-buy') expect(it.price!).toBeLessThan(top);
    if (it.tag === 'grid-sell') expect(it.price!).toBeGreaterThan(bottom);
  }
}

function replay(make: Factory, sim: PaperSim): { intents: unknown[]; events: unknown[]; snap: EngineSnapshot } {
  const e: Engine = make();
  const intents: unknown[] = [];
  const events: unknown[] = [];
  for (const { ev, now } of sim.inputs) {
    const out = e.onEvent(ev, now);
    intents.push(...out.intents);
    events.push(...out.events);
  }
  return { intents, events, snap: e.snapshot() };
}

const withoutLastPrice = (s: EngineSnapshot): unknown => {
  const copy = JSON.parse(JSON.stringify(s)) as { state: { core: { lastPrice?: number } } };
  delete copy.state.core.lastPrice;
  return copy;
};

/** How many checked runs traded at all, per engine (the properties must not pass vacuously). */
const active: Record<string, number> = {};

function checkAll(c: Case, bars: Bar[], opts: RunOptions, restoreAt: number): void {
  // The reference run processes every price in full (no wake-range shortcut).
  const full = runBars(c.make, c.rules, c.funds, bars, { ...opts, unfiltered: true }).sim;
  const name = full.engine.strategy;
  if (name === 'grid' || name === 'hybrid') expectGridEdges(full);
  if (full.inputs.some((i) => i.ev.type === 'fill')) active[name] = (active[name] ?? 0) + 1;
  expectSound(full);
  // Same inputs (through the shortcut this time), same outputs and state.
  const again = replay(c.make, full);
  expect(again.intents).toEqual(full.intents);
  expect(again.events).toEqual(full.events);
  expect(JSON.stringify(again.snap)).toBe(JSON.stringify(full.engine.snapshot()));
  // Saved and restored mid-run: nothing changes.
  const restored = runBars(c.make, c.rules, c.funds, bars, { ...opts, restoreAt }).sim;
  expect(restored.intents).toEqual(full.intents);
  expect(restored.events).toEqual(full.events);
  expect(JSON.stringify(restored.engine.snapshot())).toBe(JSON.stringify(full.engine.snapshot()));
  // Skipping candles inside the wake range: nothing changes either.
  const skipping = runBars(c.make, c.rules, c.funds, bars, { ...opts, skipInsideWake: true }).sim;
  expect(skipping.intents).toEqual(full.intents);
  expect(skipping.events).toEqual(full.events);
  expect(withoutLastPrice(skipping.engine.snapshot())).toEqual(withoutLastPrice(full.engine.snapshot()));
  // And directly: a candle spanning the quiet band changes nothing, at every step of the run.
  const problems: string[] = [];
  runBars(c.make, c.rules, c.funds, bars, { ...opts, unfiltered: true, before: (e, t) => {
    const p = probeWake(c.make, e, t, c.rules.tickSize);
    if (p !== null) problems.push(p);
  } });
  expect(problems.slice(0, 1)).toEqual([]);
}

describe('engine properties on random paths', () => {
  afterAll(() => {
    // Most runs must have traded, or the properties above say little.
    for (const name of ['grid', 'dca', 'hybrid', 'trend']) expect(active[name] ?? 0, name).toBeGreaterThan(RUNS / 3);
  });

  it('grid', () => {
    const cfgArb = fc.record({
      lower: fc.integer({ min: 70, max: 97 }),
      upper: fc.integer({ min: 103, max: 140 }),
      lines: fc.integer({ min: 2, max: 30 }),
      spacing: fc.constantFrom('arithmetic', 'geometric'),
      investment: fc.integer({ min: 300, max: 20000 }),
      base_investment: fc.constantFrom(0, 0, 1.5, 4),
      mode: fc.constantFrom('fixed', 'compound', 'earn_base'),
      trigger: fc.option(fc.integer({ min: 97, max: 103 }), { nil: undefined, freq: 2 }),
      sl: fc.option(fc.double({ min: 0.8, max: 0.99, noNaN: true }), { nil: undefined, freq: 2 }),
      tp: fc.option(fc.double({ min: 1.01, max: 1.2, noNaN: true }), { nil: undefined, freq: 2 }),
      sell_on_stop: fc.boolean(),
      profit_spread: fc.option(fc.double({ min: 0.3, max: 3, noNaN: true }), { nil: undefined, freq: 2 }),
    });
    fc.assert(
      fc.property(cfgArb, rulesArb, simArb, barsArb(100), fc.nat(), (raw, rules, opts, bars, k) => {
        const { sl, tp, ...rest } = raw;
        const cfg = gridSchema.parse({
          ...rest,
          ...(sl !== undefined ? { stop_loss: Math.round(raw.lower * sl * 100) / 100 } : {}),
          ...(tp !== undefined ? { take_profit: Math.round(raw.upper * tp * 100) / 100 } : {}),
        });
        const c = tryCase(() => ({ make: (s) => createGridEngine(cfg, rules, s), rules, funds: { quote: cfg.investment, base: cfg.base_investment } }));
        fc.pre(c !== null);
        checkAll(c!, bars, opts, k % bars.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('dca', () => {
    const cfgArb = fc.record({
      base_order: fc.integer({ min: 10, max: 300 }),
      safety_order: fc.integer({ min: 10, max: 300 }),
      max_safety_orders: fc.integer({ min: 0, max: 8 }),
      active_safety_orders: fc.integer({ min: 1, max: 4 }),
      deviation: fc.double({ min: 0.5, max: 4, noNaN: true }),
      step_scale: fc.double({ min: 0.8, max: 1.6, noNaN: true }),
      volume_scale: fc.double({ min: 0.9, max: 2, noNaN: true }),
      take_profit: fc.double({ min: 0.5, max: 4, noNaN: true }),
      trailing: fc.boolean(),
      trailing_deviation: fc.double({ min: 0.1, max: 0.45, noNaN: true }),
      stop_loss: fc.option(fc.double({ min: 10, max: 40, noNaN: true }), { nil: undefined }),
      breakeven: fc.option(fc.double({ min: 0.2, max: 0.45, noNaN: true }), { nil: undefined }),
      cooldown: fc.constantFrom(0, 60, 300),
      max_deals: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(cfgArb, rulesArb, simArb, barsArb(100), fc.nat(), (raw, rules, opts, bars, k) => {
        const parsed = dcaSchema.safeParse({ ...raw, active_safety_orders: Math.min(raw.active_safety_orders, Math.max(1, raw.max_safety_orders)) });
        fc.pre(parsed.success);
        const cfg = parsed.data!;
        const c = tryCase(() => ({ make: (s) => createDcaEngine(cfg, rules, s), rules, funds: { quote: dcaBudget(cfg, rules), base: 0 } }));
        fc.pre(c !== null);
        checkAll(c!, bars, opts, k % bars.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('hybrid', () => {
    const cfgArb = fc.record({
      lower: fc.integer({ min: 85, max: 98 }),
      upper: fc.integer({ min: 102, max: 125 }),
      lines: fc.integer({ min: 2, max: 15 }),
      investment: fc.integer({ min: 300, max: 5000 }),
      reserve_pct: fc.integer({ min: 0, max: 60 }),
      switch_buffer: fc.constantFrom(0, 1, 2, 4, 6, 8),
      acc_orders: fc.integer({ min: 1, max: 6 }),
      acc_deviation: fc.double({ min: 1, max: 5, noNaN: true }),
      stop_loss: fc.option(fc.integer({ min: 55, max: 75 }), { nil: undefined }),
      mode: fc.constantFrom('fixed', 'compound'),
    });
    fc.assert(
      fc.property(cfgArb, rulesArb, simArb, barsArb(100, 20, 160, 0.05), fc.nat(), (raw, rules, opts, bars, k) => {
        const cfg = hybridSchema.parse(raw);
        const c = tryCase(() => ({ make: (s) => createHybridEngine(cfg, rules, s), rules, funds: { quote: cfg.investment, base: 0 } }));
        fc.pre(c !== null);
        checkAll(c!, bars, opts, k % bars.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('trend', () => {
    const cfgArb = fc.record({
      investment: fc.integer({ min: 200, max: 3000 }),
      fast: fc.integer({ min: 2, max: 6 }),
      slow: fc.integer({ min: 7, max: 15 }),
      atr_period: fc.integer({ min: 2, max: 10 }),
      stop_atr: fc.double({ min: 0.5, max: 3, noNaN: true }),
      target_atr: fc.double({ min: 0.5, max: 4, noNaN: true }),
      partial_pct: fc.constantFrom(0, 30, 50, 100),
      trail_atr: fc.double({ min: 0.5, max: 4, noNaN: true }),
      exit_on_cross: fc.boolean(),
      breakeven_after_partial: fc.boolean(),
    });
    fc.assert(
      fc.property(cfgArb, rulesArb, simArb, barsArb(100, 60, 200), fc.nat(), (raw, rules, opts, bars, k) => {
        const cfg = trendSchema.parse(raw);
        const c = tryCase(() => ({ make: (s) => createTrendEngine(cfg, rules, s), rules, funds: { quote: cfg.investment, base: 0 } }));
        fc.pre(c !== null);
        checkAll(c!, bars, opts, k % bars.length);
      }),
      { numRuns: RUNS },
    );
  });
});
