import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../src/store/orders.js';
import { ActiveOrders } from '../../src/trading/active-orders.js';

const row = (cid: string, status: OrderRecord['status']): OrderRecord => ({
  clientOrderId: cid, botId: 1, seq: 1, symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: 100, amount: 1, filled: 0, average: null,
  tag: 'grid', status, exchangeOrderId: null, error: null, createdAt: new Date(0), updatedAt: new Date(0),
});

describe("a runner's copy of its active orders", () => {
  it('loads once, follows what was committed, and drops final rows', async () => {
    let loads = 0;
    const book = new ActiveOrders(async () => {
      loads++;
      return [row('a', 'open'), row('b', 'unknown')];
    });
    expect((await book.list()).map((r) => r.clientOrderId)).toEqual(['a', 'b']);
    const at = new Date(5_000);
    book.committed(
      [{ clientOrderId: 'c', botId: 1, seq: 3, symbol: 'BTC/USDT', side: 'sell', type: 'limit', price: 110, amount: 1, tag: 'grid', fence: 1, at }],
      new Map([
        ['a', { status: 'filled' as const, filled: 1 }],
        ['b', { status: 'partially_filled' as const, filled: 0.5, exchangeOrderId: 'x9' }],
        ['z', { status: 'open' as const }], // not active here: nothing to follow
      ]),
      at,
    );
    const rows = await book.list();
    expect(rows.map((r) => `${r.clientOrderId} ${r.status} ${r.filled}`)).toEqual(['b partially_filled 0.5', 'c pending 0']);
    expect(rows[0]!.exchangeOrderId).toBe('x9');
    expect(rows[0]!.updatedAt).toEqual(at);
    expect(loads).toBe(1);
  });

  it('reloads after invalidate() and every n reads', async () => {
    let loads = 0;
    const book = new ActiveOrders(async () => {
      loads++;
      return [];
    }, 3);
    await book.list(); // loads
    await book.list();
    await book.list();
    expect(loads).toBe(1);
    await book.list(); // three reads after the load: loads again
    expect(loads).toBe(2);
    book.invalidate();
    await book.list();
    expect(loads).toBe(3);
  });
});
