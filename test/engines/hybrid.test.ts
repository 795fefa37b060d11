/**
 * Hybrid transitions. Market XYZ/USDT (fees 0.1 %). Range 90-110, 5 lines, 1000 USDT of which
 * reserve_pct=30 stays out of the grid; switch_buffer=2: accumulation starts under 90 * 0.98 = 88.2.
 * Accumulation: 3 buys, 5 % apart, sizes 1 : 1.5 : 2.25.
 */
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/engines/config/errors.js';
import { hybridSchema, type HybridInput } from '../../src/engines/hybrid/config.js';
import { createHybridEngine } from '../../src/engines/hybrid/engine.js';
import type { Engine, EngineOutput, PlaceIntent } from '../../src/engines/types.js';
import { cancels, Driver, eventsOf, merge, one, places, types } from './helpers/driver.js';
import { XYZ } from './helpers/rules.js';

const BASE: HybridInput = { lower: 90, upper: 110, lines: 5, investment: 1000, reserve_pct: 30, switch_buffer: 2, acc_orders: 3, acc_deviation: 5, stop_loss: 70 };
const make = (over: Partial<HybridInput> = {}): Engine => createHybridEngine(hybridSchema.parse({ ...BASE, ...over }), XYZ);

function start(over: Partial<HybridInput> = {}, price = 100): Driver {
  const d = new Driver(make(over));
  const out = d.at(price);
  const init = one(places(out));
  d.ackAll(d.fillAll(init, { price }));
  return d;
}

/** Fills every market order of an output at `price` and acknowledges the limit orders. */
function settle(d: Driver, out: EngineOutput, price: number): EngineOutput {
  let acc = out;
  for (const p of places(out)) {
    if (p.type === 'market') acc = merge(acc, settle(d, d.fillAll(p, { price }), price));
    else d.ack(p.seq);
  }
  return acc;
}

describe('hybrid', () => {
  it('keeps the grid between the switch level and lower (no flapping at the edge)', () => {
    const d = start();
    const out = d.at(89);
    expect(types(out)).toEqual(['range_left']);
    expect(d.engine.phase()).toBe('grid_running');
  });

  it('below the range: cancels the grid, and only once the cancels are confirmed lays the accumulation ladder', () => {
    const d = start();
    const out = d.at(88);
    expect(one(eventsOf(out, 'mode_changed')).reason).toBe('below_range');
    const live = d.engine.openOrders().map((o) => o.seq).sort();
    expect(cancels(out).map((c) => c.seq).sort()).toEqual(live);
    expect(places(out)).toEqual([]);
    expect(d.engine.phase()).toBe('to_acc');
    const ladder = places(d.confirmCancels(out));
    expect(d.engine.phase()).toBe('acc');
    expect(ladder.map((p) => [p.type, p.price])).toEqual([['market', undefined], ['limit', 83.6], ['limit', 79.2]]);
    // Sizes 1 : 1.5 : 2.25 of the free quote
    const quote = (p: PlaceIntent): number => p.amount * (p.price ?? 88);
    expect(quote(ladder[1]!) / quote(ladder[0]!)).toBeCloseTo(1.5, 2);
    expect(quote(ladder[2]!) / quote(ladder[1]!)).toBeCloseTo(1.5, 2);
  });

  it('back in range: cancels the ladder and rebuilds the grid in the same range with everything held', () => {
    const d = start();
    const toAcc = d.at(88);
    const ladder = settle(d, d.confirmCancels(toAcc), 88);
    const limits = places(ladder).filter((p) => p.type === 'limit');
    d.fillAll(limits[0]!);
    const back = d.at(91);
    expect(cancels(back).map((c) => c.seq)).toEqual([limits[1]!.seq]);
    expect(d.engine.phase()).toBe('to_grid');
    const rebuilt = d.confirmCancels(back);
    expect(one(eventsOf(rebuilt, 'mode_changed')).reason).toBe('grid');
    expect(d.engine.phase()).toMatch(/^grid_/);
    const grid = settle(d, rebuilt, 91);
    const prices = places(grid).filter((p) => p.type === 'limit').map((p) => p.price!).sort((a, b) => a - b);
    // The line nearest 91 (90) stays empty; sells on every line above, no buy at the top.
    expect(prices).toEqual([95, 100, 105, 110]);
    expect(places(grid).filter((p) => p.type === 'limit').every((p) => p.side === 'sell')).toBe(true);
  });

  it('a range given as range_pct is fixed at the first start and kept when the grid is rebuilt', () => {
    const d = start({ lower: undefined, upper: undefined, stop_loss: undefined, range_pct: 10, stop_loss_pct: 20 });
    const out = d.at(88);
    settle(d, d.confirmCancels(out), 88);
    const back = d.at(92);
    const grid = settle(d, d.confirmCancels(back), 92);
    const prices = places(grid).filter((p) => p.type === 'limit').map((p) => p.price!);
    // Lines are still 90, 95, ..., 110 (not re-centred on 92)
    expect(Math.max(...prices)).toBe(110);
    for (const p of prices) expect([90, 95, 100, 105, 110]).toContain(p);
  });

  it('stop-loss while accumulating: cancels the ladder, sells the base, stops', () => {
    const d = start();
    settle(d, d.confirmCancels(d.at(88)), 88);
    const hit = d.at(69);
    expect(types(hit)).toContain('stop_loss');
    const sale = one(places(d.confirmCancels(hit)));
    expect(sale).toMatchObject({ side: 'sell', type: 'market', tag: 'hybrid-stop' });
    const end = d.fillAll(sale, { price: 69 });
    expect(types(end)).toContain('stopped');
    expect(d.engine.phase()).toBe('stopped');
    expect(d.at(95).intents).toEqual([]);
  });

  it('halt with flatten from the risk gate cancels everything and sells the base', () => {
    const d = start();
    const halt = d.feed({ type: 'control', command: 'halt', flatten: true, reason: 'drawdown' });
    expect(cancels(halt).length).toBe(d.engine.openOrders().length);
    const sale = one(places(d.confirmCancels(halt)));
    expect(sale.tag).toBe('hybrid-flatten');
    expect(types(d.fillAll(sale, { price: 100 }))).toContain('stopped');
  });

  it('does not switch to accumulation while the risk gate says reduce', () => {
    const d = start();
    d.confirmCancels(d.feed({ type: 'control', command: 'reduce' }));
    const out = d.at(85);
    expect(eventsOf(out, 'mode_changed')).toEqual([]);
    expect(places(out)).toEqual([]);
  });

  it('explains a stop-loss that would block accumulation', () => {
    const r = hybridSchema.safeParse({ ...BASE, stop_loss: 89 });
    expect(r.success ? 'valid' : formatConfigError(r.error)).toBe('stop_loss=89 must be below 88.2 (lower minus switch_buffer), or accumulation can never start.');
    const rel = hybridSchema.safeParse({ range_pct: 10, investment: 1000, stop_loss_pct: 1, switch_buffer: 2 });
    expect(rel.success ? 'valid' : formatConfigError(rel.error)).toBe('stop_loss_pct=1% must be above switch_buffer=2%, or accumulation can never start.');
  });
});
