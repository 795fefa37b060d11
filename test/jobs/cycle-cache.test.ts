import { describe, expect, it } from 'vitest';
import type { ExchangePort, Order, Trade } from '../../src/exchange/types.js';
import { CycleCache } from '../../src/jobs/cycle-cache.js';

function fakePort() {
  const calls: string[] = [];
  let fail = false;
  const trades: Trade[] = [100, 200, 300].map((ts, i) => ({ id: String(i), orderId: 'o', clientOrderId: null, symbol: 'BTC/USDT', side: 'buy', price: 1, amount: 1, cost: 1, fee: { cost: 0, currency: 'USDT' }, takerOrMaker: 'maker', timestamp: ts }) as Trade);
  const port = {
    id: 'fake',
    mode: 'paper',
    fetchTicker: async (s: string) => {
      calls.push(`ticker ${s}`);
      if (fail) throw new Error('down');
      return { symbol: s, bid: 1, ask: 1, last: 1, timestamp: 0 };
    },
    fetchOpenOrders: async (s: string) => {
      calls.push(`open ${s}`);
      return [] as Order[];
    },
    fetchMyTrades: async (s: string, since: number) => {
      calls.push(`trades ${s} ${since}`);
      return trades.filter((t) => t.timestamp >= since);
    },
    createOrder: async () => {
      calls.push('create');
      return {} as Order;
    },
    fetchOrder: async () => {
      calls.push('fetchOrder');
      return null;
    },
  } as unknown as ExchangePort;
  return { port, calls, setFail: (v: boolean) => (fail = v) };
}

describe('CycleCache', () => {
  it('reads each symbol once per cycle, forgets on a write or a new cycle, and never shares a failure', async () => {
    const f = fakePort();
    const c = new CycleCache(f.port);
    await c.port.fetchTicker('BTC/USDT');
    await c.port.fetchTicker('BTC/USDT');
    await c.port.fetchOpenOrders('BTC/USDT');
    await c.port.fetchOpenOrders('BTC/USDT');
    await c.port.fetchTicker('ETH/USDT');
    expect(f.calls).toEqual(['ticker BTC/USDT', 'open BTC/USDT', 'ticker ETH/USDT']);

    // Own trades: the widest request is kept and narrowed for later askers.
    expect((await c.port.fetchMyTrades('BTC/USDT', 150)).map((t) => t.id)).toEqual(['1', '2']);
    expect((await c.port.fetchMyTrades('BTC/USDT', 250)).map((t) => t.id)).toEqual(['2']);
    expect((await c.port.fetchMyTrades('BTC/USDT', 50)).map((t) => t.id)).toEqual(['0', '1', '2']);
    expect(f.calls.filter((x) => x.startsWith('trades'))).toEqual(['trades BTC/USDT 150', 'trades BTC/USDT 50']);

    // A write for the symbol drops its shared reads; lookups by id always go through.
    await c.port.createOrder({ clientOrderId: 'x-1-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 1 });
    await c.port.fetchTicker('BTC/USDT');
    await c.port.fetchTicker('ETH/USDT');
    await c.port.fetchOrder('BTC/USDT', 'x-1-1');
    await c.port.fetchOrder('BTC/USDT', 'x-1-1');
    expect(f.calls.filter((x) => x === 'ticker BTC/USDT')).toHaveLength(2);
    expect(f.calls.filter((x) => x === 'ticker ETH/USDT')).toHaveLength(1);
    expect(f.calls.filter((x) => x === 'fetchOrder')).toHaveLength(2);

    // A new cycle reads again; a failed read is asked again by the next bot.
    c.begin();
    f.setFail(true);
    await expect(c.port.fetchTicker('ETH/USDT')).rejects.toThrow('down');
    f.setFail(false);
    await c.port.fetchTicker('ETH/USDT');
    expect(f.calls.filter((x) => x === 'ticker ETH/USDT')).toHaveLength(3);
  });
});
