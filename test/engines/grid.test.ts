/**
 * Grid scenarios on hand-made price paths. Market XYZ/USDT: tick 0.01, step 0.001, min order 5 USDT,
 * fees 0.1 %. The reference grid: lower 90, upper 110, 5 arithmetic lines = 90, 95, 100, 105, 110,
 * investment 1000 USDT, start at 100.
 * Line size (documented formula): value * (1 - margin) / (sum of buy-line prices + sell lines * price),
 * margin = max(maker fee, 2 * taker fee + 0.5 % slippage) + 0.1 % = 0.8 %:
 * 1000 * 0.992 / (90 + 95 + 2 * 100) = 2.5766... -> 2.576 (floored to the step).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/engines/config/errors.js';
import { gridSchema, type GridInput } from '../../src/engines/grid/config.js';
import { createGridEngine } from '../../src/engines/grid/engine.js';
import { linePrices } from '../../src/engines/grid/levels.js';
import { checkGrid } from '../../src/engines/grid/plan.js';
import type { Engine, PlaceIntent } from '../../src/engines/types.js';
import { cancels, Driver, eventsOf, merge, one, places, types } from './helpers/driver.js';
import { XYZ } from './helpers/rules.js';

const BASE: GridInput = { lower: 90, upper: 110, lines: 5, investment: 1000 };
const make = (over: Partial<GridInput> = {}): Engine => createGridEngine(gridSchema.parse({ ...BASE, ...over }), XYZ);
const Q = 2.576;

/** Starts a grid at `price`, fills the start-up market buy (if any) and acknowledges every order. */
function started(over: Partial<GridInput> = {}, price = 100): { d: Driver; orders: PlaceIntent[] } {
  const d = new Driver(make(over));
  let out = d.at(price);
  const init = places(out).find((p) => p.tag === 'grid-init');
  if (init) out = d.fillAll(init, { price });
  const orders = places(out).filter((p) => p.tag !== 'grid-init');
  d.ackAll(out);
  return { d, orders };
}

const asc = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const at = (orders: PlaceIntent[], price: number): PlaceIntent => one(orders.filter((o) => o.price === price), `order at ${price}`);

describe('grid levels', () => {
  it('spaces lines arithmetically or geometrically, snapped to the tick', () => {
    expect(linePrices(90, 110, 5, 'arithmetic', 0.01)).toEqual([90, 95, 100, 105, 110]);
    const geo = linePrices(90, 110, 5, 'geometric', 0.01);
    const ratio = Math.pow(110 / 90, 1 / 4);
    expect(geo).toEqual([90, 90 * ratio, 90 * ratio ** 2, 90 * ratio ** 3, 110].map((p) => Math.round(p * 100) / 100));
    // Geometric: equal ratios (within the tick).
    for (let i = 1; i < 5; i++) expect(geo[i]! / geo[i - 1]!).toBeCloseTo(ratio, 3);
  });

  it('refuses a spacing that does not beat twice the fee, saying so', () => {
    // 200 lines over 90-110: the top gap is 0.1 / 109.9 = 0.09 %, under 2 x 0.1 %.
    expect(() => make({ lines: 200 })).toThrow(ConfigError);
    expect(() => make({ lines: 200 })).toThrow('spacing 0.09% per line does not beat twice the fee (0.20%): use fewer lines or a wider range');
    // Geometric over a relative range: the same rule without knowing the price.
    expect(() => make({ lower: undefined, upper: undefined, range_pct: 5, lines: 150 })).toThrow(/does not beat twice the fee/);
    expect(() => make({ lines: 50 })).not.toThrow();
  });

  it('refuses lines closer than the tick (a zero spread would loop forever)', () => {
    const coarse = { ...XYZ, tickSize: 1, makerFee: 0, takerFee: 0 };
    expect(() => createGridEngine(gridSchema.parse({ ...BASE, lines: 40 }), coarse)).toThrow('lines=40 are closer together than the price tick 1: use fewer lines or a wider range');
  });

  it('refuses an investment below what the minimum order needs, and names the minimum', () => {
    const msg = checkGrid(gridSchema.parse({ ...BASE, investment: 10 }), XYZ, 100);
    expect(msg).toMatch(/^investment=10 USDT is below the minimum of [\d.]+ USDT that 5 lines need at 100 \(each order must be at least 0.001 XYZ and 5 USDT\)$/);
    const min = Number(/minimum of ([\d.]+)/.exec(msg!)![1]);
    // The stated minimum is enough: at that investment the grid starts and every order clears 5 USDT.
    expect(checkGrid(gridSchema.parse({ ...BASE, investment: min }), XYZ, 100)).toBeNull();
    const { orders } = started({ investment: min });
    expect(orders).toHaveLength(4);
    for (const o of orders) expect(o.amount * o.price!).toBeGreaterThanOrEqual(5);
    // The engine refuses too, at start, with an error event and no order.
    const d = new Driver(make({ investment: 10 }));
    const out = d.at(100);
    expect(out.intents).toEqual([]);
    expect(one(eventsOf(out, 'error')).message).toContain('investment=10 USDT is below the minimum');
    expect(d.engine.phase()).toBe('stopped');
  });
});

describe('grid start', () => {
  it('buys the base for the sell lines at market, then posts buys below and sells above; the nearest line stays empty', () => {
    const d = new Driver(make());
    const out = d.at(100);
    const init = one(places(out));
    // Two sell lines of 2.576, bought gross of the 0.1 % base fee: ceil(5.152 / 0.999) = 5.158.
    expect(init).toMatchObject({ side: 'buy', type: 'market', amount: 5.158, tag: 'grid-init' });
    expect(init.price).toBeUndefined();
    expect(d.engine.phase()).toBe('starting');
    const after = d.fillAll(init, { price: 100 });
    const orders = places(after);
    expect(orders.map((o) => [o.side, o.price, o.amount]).sort((a, b) => (a[1] as number) - (b[1] as number))).toEqual([
      ['buy', 90, Q], ['buy', 95, Q], ['sell', 105, Q], ['sell', 110, Q],
    ]);
    expect(orders.some((o) => o.price === 100)).toBe(false);
    expect(types(after)).toContain('started');
  });

  it('never buys at the top line nor sells at the bottom line, even when the price starts outside the range', () => {
    const above = started({}, 120);
    expect(above.orders.every((o) => o.side === 'buy')).toBe(true);
    expect(asc(above.orders.map((o) => o.price!))).toEqual([90, 95, 100, 105]);
    const below = started({}, 80);
    expect(below.orders.every((o) => o.side === 'sell')).toBe(true);
    expect(asc(below.orders.map((o) => o.price!))).toEqual([95, 100, 105, 110]);
  });

  it('keeps the line nearest the price empty (ties go to the lower line)', () => {
    expect(started({}, 104).orders.map((o) => o.price)).not.toContain(105);
    expect(started({}, 96).orders.map((o) => o.price)).not.toContain(95);
    expect(started({}, 102.5).orders.map((o) => o.price)).not.toContain(100);
  });

  it('takes a market fill price as money, never as a level (also a fill reported at price 0)', () => {
    const d = new Driver(make());
    const init = one(places(d.at(100)));
    const out = d.fillAll(init, { price: 0 });
    expect(asc(places(out).map((o) => o.price!))).toEqual([90, 95, 105, 110]);
    // Valued at the reference price (the last price, 100), not at 0.
    expect(d.engine.balances().quote).toBeCloseTo(1000 - 5.158 * 100, 6);
  });

  it('waits for a trigger price, from above or from below', () => {
    const d = new Driver(make({ trigger: 95 }));
    expect(d.at(100).intents).toEqual([]);
    expect(d.at(97).intents).toEqual([]);
    expect(d.engine.phase()).toBe('waiting_trigger');
    const out = d.candle(97, 97.5, 94.5, 96);
    expect(types(out)).toContain('trigger_reached');
    expect(one(places(out)).tag).toBe('grid-init');
    const up = new Driver(make({ trigger: 104 }));
    expect(up.at(100).intents).toEqual([]);
    expect(places(up.tick(104.2)).length).toBe(1);
  });
});

describe('grid trading', () => {
  it('a filled buy puts its base (after the fee) up for sale one line higher; the sell puts back a buy of the original size', () => {
    const { d, orders } = started();
    const buy95 = at(orders, 95);
    const afterBuy = d.fillAll(buy95);
    const sell = one(places(afterBuy));
    // 2.576 bought, 0.002576 XYZ fee: 2.573424 held, floored to 2.573.
    expect(sell).toMatchObject({ side: 'sell', price: 100, amount: 2.573 });
    d.ack(sell.seq);
    const afterSell = d.fillAll(sell);
    const rebuy = one(places(afterSell));
    expect(rebuy).toMatchObject({ side: 'buy', price: 95, amount: Q });
    const cycle = one(eventsOf(afterSell, 'grid_cycle'));
    // proceeds 2.573 * 100 * 0.999 = 257.0427; cost 2.576 * 95 = 244.72 (the 0.000424 dust left carries no cost)
    expect(cycle.profit).toBeCloseTo(257.0427 - 244.72, 6);
    expect(d.engine.balances().realisedProfit).toBeCloseTo(257.0427 - 244.72, 6);
  });

  it('ignores a duplicate trade id', () => {
    const { d, orders } = started();
    const buy95 = at(orders, 95);
    const first = d.fill(buy95, { tradeId: 'dup-1' });
    expect(places(first)).toHaveLength(1);
    const before = JSON.stringify(d.engine.snapshot());
    const again = d.fill(buy95, { tradeId: 'dup-1' });
    expect(again.intents).toEqual([]);
    expect(again.events).toEqual([]);
    expect(JSON.stringify(d.engine.snapshot())).toBe(before);
  });

  it('does nothing on a partial fill, and trades the whole amount once the order is done', () => {
    const { d, orders } = started();
    const buy95 = at(orders, 95);
    expect(d.fill(buy95, { amount: 1 }).intents).toEqual([]);
    expect(d.status(buy95.seq, 'open', 1).intents).toEqual([]);
    const done = d.fill(buy95, { amount: 1.576 });
    // (1 + 1.576) * 0.999 = 2.573424 -> 2.573
    expect(one(places(done))).toMatchObject({ side: 'sell', price: 100, amount: 2.573 });
  });

  it('decides a cancelled order on its reported filled amount: missing fills keep it in flight', () => {
    const { d, orders } = started();
    const buy95 = at(orders, 95);
    // The exchange cancelled it (not us) after 1.2 filled, but that trade has not arrived yet.
    const out = d.status(buy95.seq, 'canceled', 1.2);
    expect(out.intents).toEqual([]);
    expect(d.engine.openOrders().find((o) => o.seq === buy95.seq)?.status).toBe('closing');
    const later = d.fill(buy95, { amount: 1.2 });
    // 1.2 * 0.999 = 1.1988 -> 1.198
    expect(one(places(later))).toMatchObject({ side: 'sell', price: 100, amount: 1.198 });
    expect(types(later)).toContain('order_ended');
    // The unfilled rest of that buy is not posted again: the line stays empty until the sell above fills.
    expect(places(later).some((p) => p.side === 'buy')).toBe(false);
  });

  it('re-posts a line whose order was refused, at most three times', () => {
    const { d, orders } = started();
    let order = at(orders, 90);
    for (let i = 0; i < 2; i++) {
      const out = d.status(order.seq, 'rejected', 0);
      order = one(places(out));
      expect(order).toMatchObject({ side: 'buy', price: 90, amount: Q });
    }
    const last = d.status(order.seq, 'rejected', 0);
    expect(places(last)).toEqual([]);
    expect(types(last)).toContain('order_skipped');
  });

  it('reports leaving and re-entering the range, and keeps its orders', () => {
    const { d } = started();
    const left = d.candle(100, 112, 100, 111);
    expect(one(eventsOf(left, 'range_left')).reason).toBe('above');
    expect(cancels(left)).toEqual([]);
    expect(types(d.at(108))).toContain('range_entered');
  });

  it('compound mode reinvests the proceeds; earn_base keeps base as profit', () => {
    const c = started({ mode: 'compound' });
    const sell = one(places(c.d.fillAll(at(c.orders, 95))));
    const rebuy = one(places(c.d.fillAll(sell)));
    // proceeds 257.0427 / 95 = 2.7057... -> 2.705, above the original 2.576
    expect(rebuy).toMatchObject({ side: 'buy', price: 95, amount: 2.705 });
    const e = started({ mode: 'earn_base' });
    const sellE = one(places(e.d.fillAll(at(e.orders, 95))));
    // Sells only what recovers the cost: 244.72 / (100 * 0.999) = 2.44964... -> 2.450 (rounded up)
    expect(sellE).toMatchObject({ side: 'sell', price: 100, amount: 2.45 });
    const rebuyE = one(places(e.d.fillAll(sellE)));
    expect(rebuyE.amount).toBe(Q);
  });

  it('profit_spread raises the sell above the next line when the gap is too small', () => {
    const { d, orders } = started({ profit_spread: 8 });
    const sell = one(places(d.fillAll(at(orders, 95))));
    // cost per unit of the base held: 244.72 / 2.573424 = 95.0951..., * 1.08 = 102.7027... -> 102.71 (up, for a sell)
    expect(sell.price).toBe(102.71);
  });
});

describe('grid stops', () => {
  it('stop-loss: cancels every order, then sells the base at market once the cancels are confirmed', () => {
    const { d, orders } = started({ stop_loss: 85 });
    const hit = d.candle(92, 93, 84, 86);
    expect(types(hit)).toContain('stop_loss');
    expect(cancels(hit).map((c) => c.seq).sort()).toEqual(orders.map((o) => o.seq).sort());
    expect(places(hit)).toEqual([]);
    const confirmed = d.confirmCancels(hit);
    const sale = one(places(confirmed));
    expect(sale).toMatchObject({ side: 'sell', type: 'market', tag: 'grid-stop' });
    // 5.158 bought less the 0.005158 fee = 5.152842 -> 5.152 sold
    expect(sale.amount).toBe(5.152);
    const end = d.fillAll(sale, { price: 84 });
    expect(types(end)).toContain('stopped');
    expect(d.engine.phase()).toBe('stopped');
    expect(d.engine.openOrders()).toEqual([]);
    // Stopped: later prices do nothing.
    expect(d.at(100).intents).toEqual([]);
  });

  it('take-profit with sell_on_stop=no keeps the base', () => {
    const { d } = started({ take_profit: 115, sell_on_stop: false });
    const hit = d.candle(110, 116, 109, 114);
    expect(types(hit)).toContain('take_profit');
    const confirmed = d.confirmCancels(hit);
    expect(places(confirmed)).toEqual([]);
    expect(types(confirmed)).toContain('stopped');
    expect(d.engine.balances().base).toBeGreaterThan(5);
  });

  it('checks the stop-loss before the take-profit when one candle reaches both', () => {
    const { d } = started({ stop_loss: 85, take_profit: 115 });
    const both = d.candle(100, 116, 84, 100);
    expect(types(both)).toContain('stop_loss');
    expect(types(both)).not.toContain('take_profit');
  });

  it('reduce cancels the buys only; resume posts them again; halt with flatten sells everything', () => {
    const { d, orders } = started();
    const reduce = d.feed({ type: 'control', command: 'reduce', reason: 'test' });
    expect(cancels(reduce).map((c) => c.seq).sort()).toEqual(orders.filter((o) => o.side === 'buy').map((o) => o.seq).sort());
    d.confirmCancels(reduce);
    const resume = d.feed({ type: 'control', command: 'resume' });
    expect(places(resume).map((p) => [p.side, p.price]).sort()).toEqual([['buy', 90], ['buy', 95]].sort());
    d.ackAll(resume);
    const halt = d.feed({ type: 'control', command: 'halt', flatten: true, reason: 'daily loss' });
    expect(types(halt)).toContain('halted');
    const done = d.confirmCancels(halt);
    expect(one(places(done))).toMatchObject({ side: 'sell', type: 'market', tag: 'grid-flatten' });
  });
});

describe('grid recovery', () => {
  it('a snapshot taken mid-run and restored answers the next events exactly like the original', () => {
    const { d, orders } = started();
    d.fillAll(at(orders, 95));
    const snap = JSON.parse(JSON.stringify(d.engine.snapshot())) as ReturnType<Engine['snapshot']>;
    const copy = new Driver(createGridEngine(gridSchema.parse(BASE), XYZ, snap));
    copy.now = d.now;
    const sell = d.engine.openOrders().find((o) => o.side === 'sell' && o.price === 100)!;
    const a = merge(d.fill({ seq: sell.seq, side: 'sell', price: 100, amount: sell.amount }, { tradeId: 'x' }), d.at(96));
    const b = merge(copy.fill({ seq: sell.seq, side: 'sell', price: 100, amount: sell.amount }, { tradeId: 'x' }), copy.at(96));
    expect(b).toEqual(a);
    expect(copy.engine.snapshot()).toEqual(d.engine.snapshot());
  });

  it('refuses a snapshot of another strategy or version', () => {
    const snap = make().snapshot();
    expect(() => createGridEngine(gridSchema.parse(BASE), XYZ, { ...snap, version: 99 })).toThrow('the saved grid state has version 99; this engine reads version 1');
    expect(() => createGridEngine(gridSchema.parse(BASE), XYZ, { ...snap, strategy: 'dca' })).toThrow('the saved state is for a dca bot, not grid');
  });
});
