/** Order checks shared by paper and live: rounding and minimums. */
import { describe, expect, it } from 'vitest';
import { prepareOrder } from '../../src/exchange/order-rules.js';
import { snapshotMarkets } from '../../src/exchange/markets/snapshot.js';
import type { OrderRequest } from '../../src/exchange/types.js';

const rules = (s: string) => snapshotMarkets().get(s)!;
const req = (o: Partial<OrderRequest>): OrderRequest => ({ clientOrderId: 'c1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 30_000, ...o });

describe('prepareOrder', () => {
  it('rounds amounts down and prices to the passive side, with exact text', () => {
    expect(prepareOrder(rules('BTC/USDT'), req({ amount: 0.0019999, price: 30_000.019 }))).toEqual({ amount: 0.00199, price: 30_000.01, amountText: '0.00199', priceText: '30000.01' });
    expect(prepareOrder(rules('BTC/USDT'), req({ side: 'sell', price: 30_000.011 })).price).toBe(30_000.02);
    expect(prepareOrder(rules('XRP/USDT'), req({ symbol: 'XRP/USDT', amount: 12.345, price: 0.51239 }))).toMatchObject({ amount: 12.3, priceText: '0.5123' });
    expect(prepareOrder(rules('LUNA/USDT'), req({ symbol: 'LUNA/USDT', amount: 30_000.009, price: 0.000456 }))).toMatchObject({ amountText: '30000.00', priceText: '0.00045' });
  });

  it('refuses what an exchange would refuse', () => {
    const r = rules('BTC/USDT');
    expect(() => prepareOrder(r, req({ amount: 0.0001 }))).toThrow(expect.objectContaining({ reason: 'below_minimum' }) as Error);
    expect(() => prepareOrder(r, req({ amount: 0 }))).toThrow(expect.objectContaining({ reason: 'invalid_amount' }) as Error);
    expect(() => prepareOrder(r, req({ amount: 10_000 }))).toThrow(expect.objectContaining({ reason: 'invalid_amount' }) as Error);
    expect(() => prepareOrder(r, req({ price: undefined }))).toThrow(expect.objectContaining({ reason: 'invalid_price' }) as Error);
    expect(() => prepareOrder(r, req({ price: 0.001 }))).toThrow(expect.objectContaining({ reason: 'invalid_price' }) as Error);
    expect(() => prepareOrder(r, req({ type: 'market', price: undefined, amount: 0.0001 }), 30_000)).toThrow(expect.objectContaining({ reason: 'below_minimum' }) as Error);
    expect(() => prepareOrder(r, req({ clientOrderId: 'has space' }))).toThrow(/client order id/);
    expect(prepareOrder(r, req({ amount: 0.00017, price: 30_000 })).amount).toBe(0.00017); // 5.1 USDT: just above the minimum
  });

  it('has the snapshot markets with their real filters', () => {
    const m = snapshotMarkets();
    for (const s of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'BNB/USDT', 'XRP/USDT', 'LUNA/USDT']) expect(m.has(s), s).toBe(true);
    expect(m.get('ETH/USDT')).toMatchObject({ tickSize: 0.01, stepSize: 0.0001, minNotional: 5 });
    expect(m.get('SOL/USDT')).toMatchObject({ tickSize: 0.01, stepSize: 0.001 });
  });
});
