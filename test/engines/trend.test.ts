/**
 * Trend follower scenarios on a hand-made path. EMA 3/6 and ATR(3) so a few candles suffice; the
 * expected cross, ATR and levels come from technicalindicators (the reference), not from the engine.
 * Market orders are filled at the candle close.
 */
import { ATR, EMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/engines/config/errors.js';
import { checkTrend, trendSchema, type TrendInput } from '../../src/engines/trend/config.js';
import { createTrendEngine } from '../../src/engines/trend/engine.js';
import type { DomainEvent, EngineOutput } from '../../src/engines/types.js';
import { Driver, eventsOf, merge, one, places, types } from './helpers/driver.js';
import { XYZ } from './helpers/rules.js';

const CFG: TrendInput = { investment: 1000, fast: 3, slow: 6, atr_period: 3, stop_atr: 2, target_atr: 3, partial_pct: 50, trail_atr: 3 };

interface C {
  o: number;
  h: number;
  l: number;
  c: number;
}

/** A fall then a rise: the bullish cross comes early in the rise. */
const closes = [100, 99, 98, 97, 96, 95, 94, 93, 92, 93, 95, 97, 99];
const warm: C[] = closes.map((c, i) => {
  const o = i === 0 ? c : closes[i - 1]!;
  return { o, h: Math.max(o, c) + 0.5, l: Math.min(o, c) - 0.5, c };
});

function refCross(series: C[]): number {
  const cl = series.map((x) => x.c);
  const f = EMA.calculate({ period: 3, values: cl });
  const s = EMA.calculate({ period: 6, values: cl });
  // Align: f[i] is at candle i + 2, s[j] at candle j + 5.
  let prev = NaN;
  for (let k = 5; k < cl.length; k++) {
    const d = f[k - 2]! - s[k - 5]!;
    if (prev <= 0 && d > 0) return k;
    prev = d;
  }
  return -1;
}

function refAtr(series: C[], upto: number): number {
  const a = ATR.calculate({ period: 3, high: series.map((x) => x.h), low: series.map((x) => x.l), close: series.map((x) => x.c) });
  return a[upto - 3]!;
}

/** Feeds candles; every market order is filled at that candle's close. */
function feed(d: Driver, cs: C[]): EngineOutput {
  let all: EngineOutput = { intents: [], events: [] };
  for (const x of cs) {
    const out = d.candle(x.o, x.h, x.l, x.c);
    all = merge(all, out);
    for (const p of places(out)) if (p.type === 'market') all = merge(all, d.fillAll(p, { price: x.c }));
  }
  return all;
}

function entered(over: Partial<TrendInput> = {}): { d: Driver; entry: DomainEvent; atr: number; k: number } {
  const d = new Driver(createTrendEngine(trendSchema.parse({ ...CFG, ...over }), XYZ));
  const k = refCross(warm);
  const before = feed(d, warm.slice(0, k));
  expect(places(before)).toEqual([]);
  const out = feed(d, warm.slice(k, k + 1));
  return { d, entry: one(eventsOf(out, 'entry')), atr: refAtr(warm, k), k };
}

describe('trend follower', () => {
  it('buys at market on the first bullish EMA cross, not before', () => {
    const k = refCross(warm);
    expect(k).toBeGreaterThan(6);
    const { entry } = entered();
    expect(entry.price).toBe(warm[k]!.c);
  });

  it('sets the stop at entry - stop_atr * ATR and the first target at entry + target_atr * ATR', () => {
    const { d, atr, k } = entered();
    const entry = warm[k]!.c;
    const st = (d.engine.snapshot().state as { trend: { stop: number; target: number; entry: number; qty: number } }).trend;
    // entry per unit includes the base fee: cost / (amount * 0.999)
    expect(st.entry).toBeCloseTo(entry / 0.999, 8);
    expect(st.stop).toBeCloseTo(st.entry - 2 * atr, 8);
    expect(st.target).toBeCloseTo(st.entry + 3 * atr, 8);
  });

  it('exits at market when a candle reaches the stop; the stop is checked before the target', () => {
    const { d } = entered();
    const st = (d.engine.snapshot().state as { trend: { stop: number; target: number } }).trend;
    const out = feed(d, [{ o: 99, h: st.target + 1, l: st.stop - 1, c: st.stop - 0.5 }]);
    expect(one(eventsOf(out, 'stop_loss')).reason).toBe('stop_loss');
    expect(eventsOf(out, 'partial_close')).toEqual([]);
    const exit = one(eventsOf(out, 'exit'));
    expect(exit.reason).toBe('stop_loss');
    expect(exit.profit).toBeLessThan(0);
    expect(d.engine.phase()).toBe('flat');
    expect(d.engine.balances().base).toBeLessThan(0.001);
  });

  it('sells partial_pct at the first target, then moves the stop to break-even', () => {
    const { d } = entered();
    const before = (d.engine.snapshot().state as { trend: { qty: number; target: number; entry: number } }).trend;
    const out = feed(d, [{ o: 99, h: before.target + 0.1, l: 98.8, c: before.target }]);
    const partial = one(eventsOf(out, 'partial_close'));
    expect(partial.amount).toBe(Math.floor((before.qty * 0.5) / 0.001) * 0.001);
    const after = (d.engine.snapshot().state as { trend: { stop: number; partialDone: boolean } }).trend;
    expect(after.partialDone).toBe(true);
    expect(after.stop).toBeGreaterThanOrEqual(before.entry / 0.999 - 1e-9);
  });

  it('trails the stop at highest - trail_atr * ATR on each close', () => {
    const { d, k } = entered({ partial_pct: 0 });
    const rise: C[] = [{ o: 99, h: 104, l: 98.5, c: 103.5 }, { o: 103.5, h: 109, l: 103, c: 108.5 }];
    feed(d, rise);
    const series = [...warm.slice(0, k + 1), ...rise];
    const atr = refAtr(series, series.length - 1);
    const st = (d.engine.snapshot().state as { trend: { stop: number; highest: number } }).trend;
    expect(st.highest).toBe(109);
    expect(st.stop).toBeCloseTo(109 - 3 * atr, 8);
    const out = feed(d, [{ o: 108.5, h: 108.6, l: st.stop - 0.1, c: st.stop }]);
    expect(one(eventsOf(out, 'exit')).reason).toBe('trailing_stop');
  });

  it('exits on a bearish cross', () => {
    const { d } = entered({ stop_atr: 20, partial_pct: 0 });
    const fall: C[] = [94, 92, 90, 89].map((c, i, a) => ({ o: i === 0 ? 99 : a[i - 1]!, h: (i === 0 ? 99 : a[i - 1]!) + 0.2, l: c - 0.2, c }));
    const out = feed(d, fall);
    expect(one(eventsOf(out, 'exit')).reason).toBe('signal');
  });

  it('ticks check the stop but never move the indicators', () => {
    const { d } = entered();
    const snap = (): unknown => (d.engine.snapshot().state as { trend: { fast: unknown; slow: unknown; atr: unknown } }).trend;
    const before = JSON.stringify([(snap() as { fast: unknown }).fast, (snap() as { slow: unknown }).slow, (snap() as { atr: unknown }).atr]);
    const st = (d.engine.snapshot().state as { trend: { stop: number } }).trend;
    for (const p of [99.5, 100, 99.2]) expect(d.tick(p).intents).toEqual([]);
    expect(JSON.stringify([(snap() as { fast: unknown }).fast, (snap() as { slow: unknown }).slow, (snap() as { atr: unknown }).atr])).toBe(before);
    const out = d.tick(st.stop - 0.01);
    expect(types(out)).toContain('stop_loss');
    expect(one(places(out))).toMatchObject({ side: 'sell', type: 'market', tag: 'trend-exit' });
  });

  it('asks for every candle close in its wake range', () => {
    const d = new Driver(createTrendEngine(trendSchema.parse(CFG), XYZ));
    expect(d.engine.wake().everyClose).toBe(true);
  });

  it('explains bad settings in one sentence', () => {
    const r = trendSchema.safeParse({ ...CFG, fast: 30, slow: 20 });
    expect(r.success ? 'valid' : formatConfigError(r.error)).toBe('fast=30 must be below slow=20.');
    expect(checkTrend(trendSchema.parse({ ...CFG, investment: 9 }), XYZ)).toBe('partial_pct=50% of investment=9 USDT leaves an order of 4.5 USDT, below the exchange minimum of 5 USDT: raise investment or set partial_pct=0');
    expect(checkTrend(trendSchema.parse({ ...CFG, investment: 4 }), XYZ)).toBe('investment=4 USDT is below the exchange minimum order value of 5 USDT (plus fees)');
  });
});
