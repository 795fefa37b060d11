/** The order desk every engine shares: checks before an intent, bookkeeping after a fill. */
import { describe, expect, it } from 'vitest';
import { Ctx } from '../../src/engines/core/context.js';
import { initialCore, type OrderRecord } from '../../src/engines/core/state.js';
import type { FillEvent } from '../../src/engines/types.js';
import { COARSE, XYZ } from './helpers/rules.js';

function desk(quote = 1000, base = 0, rules = XYZ): { ctx: Ctx; done: OrderRecord[] } {
  const ctx = new Ctx(initialCore(quote, base), rules);
  ctx.s.lastPrice = 100;
  const done: OrderRecord[] = [];
  ctx.register('t', { onDone: (o) => done.push(o) });
  ctx.begin(1);
  return { ctx, done };
}

const fill = (seq: number, side: 'buy' | 'sell', price: number, amount: number, tradeId: string, fee = 0, feeCurrency = 'USDT'): FillEvent => ({ type: 'fill', tradeId, seq, side, price, amount, fee, feeCurrency, time: 1 });

describe('order desk', () => {
  it('snaps limit prices toward the passive side and floors amounts to the step', () => {
    const { ctx } = desk(1000, 10, COARSE);
    const b = ctx.place('t', 'x', 0, 'buy', 'limit', 100.07, 1.29);
    const s = ctx.place('t', 'x', 0, 'sell', 'limit', 100.01, 1.29);
    expect(ctx.output().intents).toEqual([
      { kind: 'place', seq: b, side: 'buy', type: 'limit', price: 100, amount: 1.2, tag: 'x' },
      { kind: 'place', seq: s, side: 'sell', type: 'limit', price: 100.1, amount: 1.2, tag: 'x' },
    ]);
    expect(s).toBe(b + 1);
  });

  it('skips an order below the minimum amount or value, and says which minimum', () => {
    const { ctx } = desk(1000, 0, COARSE);
    expect(ctx.place('t', 'x', 0, 'buy', 'limit', 100, 0.4)).toBe(0);
    expect(ctx.lastSkip).toBe('below_minimum');
    expect(ctx.lastSkipDetail).toBe('0.4 ABC at 100 is below the exchange minimum (0.5 ABC, 10 USDT)');
    expect(ctx.place('t', 'x', 0, 'buy', 'limit', 15, 0.6)).toBe(0); // 9 USDT < 10
    expect(ctx.output().intents).toEqual([]);
  });

  it('never commits more than the free funds, fees included', () => {
    const { ctx } = desk(100, 1);
    // 0.999 * 100 * 1.001 = 99.9999 fits; another 0.06 (6 USDT) does not
    expect(ctx.place('t', 'x', 0, 'buy', 'limit', 100, 0.999)).not.toBe(0);
    expect(ctx.place('t', 'x', 0, 'buy', 'limit', 100, 0.06)).toBe(0);
    expect(ctx.lastSkip).toBe('insufficient_funds');
    expect(ctx.place('t', 'x', 0, 'sell', 'limit', 101, 1)).not.toBe(0);
    expect(ctx.place('t', 'x', 0, 'sell', 'limit', 101, 0.06)).toBe(0);
    expect(ctx.lastSkip).toBe('insufficient_funds');
    // A market buy reserves the taker fee and 0.5 % slippage at the last price.
    const { ctx: m } = desk(100.6);
    expect(m.place('t', 'x', 0, 'buy', 'market', 0, 1)).not.toBe(0);
  });

  it('books fills once per trade id, with fees in base or quote, and finishes the order when filled', () => {
    const { ctx, done } = desk(1000);
    const seq = ctx.place('t', 'x', 0, 'buy', 'limit', 100, 2);
    ctx.applyFill(fill(seq, 'buy', 100, 1.5, 'a', 0.0015, 'XYZ'));
    ctx.applyFill(fill(seq, 'buy', 100, 1.5, 'a', 0.0015, 'XYZ'));
    expect(ctx.s.quote).toBeCloseTo(850, 9);
    expect(ctx.s.base).toBeCloseTo(1.4985, 9);
    expect(done).toEqual([]);
    ctx.applyFill(fill(seq, 'buy', 99, 0.5, 'b', 0.05, 'USDT'));
    expect(done.map((o) => o.seq)).toEqual([seq]);
    expect(ctx.s.quote).toBeCloseTo(850 - 49.5 - 0.05, 9);
    const filled = ctx.output().events.find((e) => e.type === 'filled')!;
    expect(filled.amount).toBe(2);
    expect(filled.price).toBeCloseTo(99.75, 9);
  });

  it('keeps an order in flight when a terminal status reports more filled than the fills received', () => {
    const { ctx, done } = desk(1000);
    const seq = ctx.place('t', 'x', 0, 'buy', 'limit', 100, 2);
    ctx.applyStatus({ type: 'order', seq, status: 'canceled', filled: 0.7 });
    expect(done).toEqual([]);
    expect(ctx.order(seq)?.status).toBe('closing');
    ctx.applyFill(fill(seq, 'buy', 100, 0.7, 'c'));
    expect(done.map((o) => [o.seq, o.filled, o.final])).toEqual([[seq, 0.7, 'canceled']]);
    // Nothing is locked any more.
    expect(ctx.lockedQuote()).toBe(0);
  });

  it('books a late fill of a finished order into the funds and says so', () => {
    const { ctx } = desk(1000);
    const seq = ctx.place('t', 'x', 0, 'buy', 'limit', 100, 2);
    ctx.applyStatus({ type: 'order', seq, status: 'canceled', filled: 0 });
    ctx.output();
    ctx.applyFill(fill(seq, 'buy', 100, 0.5, 'late'));
    expect(ctx.s.base).toBeCloseTo(0.5, 9);
    expect(ctx.output().events.map((e) => e.type)).toEqual(['late_fill']);
    // Unknown orders are not ours: ignored.
    ctx.applyFill(fill(999, 'buy', 100, 1, 'zz'));
    expect(ctx.s.base).toBeCloseTo(0.5, 9);
  });

  it('reports a rejection once and refuses buys while reducing, everything but flatten sells when halted', () => {
    const { ctx } = desk(1000, 5);
    const seq = ctx.place('t', 'x', 0, 'buy', 'limit', 100, 1);
    ctx.applyStatus({ type: 'order', seq, status: 'rejected', filled: 0, reason: 'insufficient balance' });
    expect(ctx.output().events.map((e) => e.message)).toEqual([`Order #${seq} (x) was rejected: insufficient balance.`]);
    ctx.s.risk = 'reducing';
    expect(ctx.place('t', 'x', 0, 'buy', 'limit', 100, 1)).toBe(0);
    expect(ctx.place('t', 'x', 0, 'sell', 'limit', 101, 1)).not.toBe(0);
    ctx.s.risk = 'halted';
    expect(ctx.place('t', 'grid-sell', 0, 'sell', 'limit', 101, 1)).toBe(0);
    expect(ctx.place('t', 'grid-flatten', 0, 'sell', 'market', 0, 1)).not.toBe(0);
  });
});
