import { describe, expect, it } from 'vitest';
import { ExchangeError, type ExchangePort, type Order } from '../../src/exchange/types.js';
import { instrumentExchange } from '../../src/ops/instrumented-exchange.js';
import { Metrics } from '../../src/ops/metrics.js';

describe('metrics', () => {
  it('counts orders by outcome and exchange errors by kind, and alerts sent from the sender\'s running totals', async () => {
    const m = new Metrics({ defaultMetrics: false });
    let n = 0;
    const inner = {
      id: 'x',
      mode: 'live',
      createOrder: async () => {
        n++;
        if (n === 2) throw new ExchangeError('rejected', 'insufficient_funds', 'no money');
        if (n === 3) throw new ExchangeError('unknown_outcome', 'timeout', 'no answer');
        return {} as Order;
      },
      fetchTicker: async () => {
        throw new ExchangeError('retryable', 'rate_limit', 'slow down');
      },
    } as unknown as ExchangePort;
    const ex = instrumentExchange(inner, m);
    const req = { clientOrderId: 'a-1-1', symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit' as const, amount: 1, price: 1 };
    await ex.createOrder(req);
    await expect(ex.createOrder(req)).rejects.toThrow('no money');
    await expect(ex.createOrder(req)).rejects.toThrow('no answer');
    await expect(ex.fetchTicker('BTC/USDT')).rejects.toThrow('slow down');
    m.onSenderStats({ messages: 3, delivered: 5 });
    m.onSenderStats({ messages: 4, delivered: 7 });
    m.onTick({ botId: 1, fills: 2, placed: 1, cancelled: 0, rejected: 0, settled: 0, durationMs: 12 });
    const t = await m.text();
    expect(t).toMatch(/tgt_orders_total\{action="placed"\} 1/);
    expect(t).toMatch(/tgt_orders_total\{action="rejected"\} 1/);
    expect(t).toMatch(/tgt_orders_total\{action="unknown"\} 1/);
    expect(t).toMatch(/tgt_exchange_errors_total\{op="createOrder",kind="rejected",reason="insufficient_funds"\} 1/);
    expect(t).toMatch(/tgt_exchange_errors_total\{op="fetchTicker",kind="retryable",reason="rate_limit"\} 1/);
    expect(t).toMatch(/tgt_alerts_sent_total 4/);
    expect(t).toMatch(/tgt_alerts_delivered_total 7/);
    expect(t).toMatch(/tgt_fills_total 2/);
    expect(t).toMatch(/tgt_tick_duration_seconds_count 1/);
  });
});
