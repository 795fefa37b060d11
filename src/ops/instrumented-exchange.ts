/**
 * An ExchangePort that counts what goes through it: order requests by outcome and failed calls by
 * operation, kind and reason (tgt_orders_total, tgt_exchange_errors_total). Behaviour is unchanged.
 */
import { ExchangeError, type ExchangePort, type Order, type OrderRequest } from '../exchange/types.js';
import type { Metrics } from './metrics.js';

export function instrumentExchange(inner: ExchangePort, metrics: Metrics): ExchangePort {
  const fail = (op: string, err: unknown): never => {
    if (err instanceof ExchangeError) metrics.exchangeErrors.inc({ op, kind: err.kind, reason: err.reason });
    else metrics.exchangeErrors.inc({ op, kind: 'other', reason: err instanceof Error ? err.name : 'unknown' });
    throw err;
  };
  const call = <T>(op: string, fn: () => Promise<T>): Promise<T> => fn().catch((err: unknown) => fail(op, err));
  return {
    get id() {
      return inner.id;
    },
    get mode() {
      return inner.mode;
    },
    loadMarkets: (reload) => call('loadMarkets', () => inner.loadMarkets(reload)),
    market: (symbol) => call('market', () => inner.market(symbol)),
    fetchTicker: (symbol) => call('fetchTicker', () => inner.fetchTicker(symbol)),
    fetchCandles: (symbol, tf, since, until) => call('fetchCandles', () => inner.fetchCandles(symbol, tf, since, until)),
    fetchBalance: () => call('fetchBalance', () => inner.fetchBalance()),
    async createOrder(req: OrderRequest): Promise<Order> {
      try {
        const o = await inner.createOrder(req);
        metrics.orders.inc({ action: 'placed' });
        return o;
      } catch (err) {
        const kind = err instanceof ExchangeError ? err.kind : 'unknown_outcome';
        metrics.orders.inc({ action: kind === 'rejected' ? 'rejected' : kind === 'unknown_outcome' || kind === 'retryable' ? 'unknown' : 'failed' });
        return fail('createOrder', err);
      }
    },
    fetchOrder: (symbol, cid) => call('fetchOrder', () => inner.fetchOrder(symbol, cid)),
    async cancelOrder(symbol: string, cid: string): Promise<Order> {
      const o = await call('cancelOrder', () => inner.cancelOrder(symbol, cid));
      metrics.orders.inc({ action: 'cancelled' });
      return o;
    },
    fetchOpenOrders: (symbol) => call('fetchOpenOrders', () => inner.fetchOpenOrders(symbol)),
    fetchMyTrades: (symbol, since) => call('fetchMyTrades', () => inner.fetchMyTrades(symbol, since)),
    close: () => inner.close(),
  };
}
