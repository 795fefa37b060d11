/**
 * Self-fencing in time: a worker sends an order (or a cancel) for a bot only while its lease on that
 * bot is surely still its own (renewed less than ttl - margin ago). Past that another worker may
 * take the bot over, so the request is not sent and the runner gets LeaseLostError (the write-ahead
 * row stays "pending" and the next holder settles it by client order id). The database fence
 * catches everything else at commit time.
 */
import type { ExchangePort } from '../exchange/types.js';
import { LeaseLostError } from '../trading/types.js';

/** The bot id inside a client order id `<installation>-<bot>-<seq>`, or null for other ids. */
export function botIdOf(clientOrderId: string): number | null {
  const m = /^.+-(\d+)-(\d+)$/.exec(clientOrderId);
  return m ? Number(m[1]) : null;
}

export function guardExchange(inner: ExchangePort, mayAct: (botId: number) => boolean): ExchangePort {
  const check = (cid: string): void => {
    const botId = botIdOf(cid);
    if (botId !== null && !mayAct(botId)) throw new LeaseLostError(`bot ${botId}: this worker's lease is not surely valid; not sending ${cid}`);
  };
  return {
    get id() {
      return inner.id;
    },
    get mode() {
      return inner.mode;
    },
    loadMarkets: (reload) => inner.loadMarkets(reload),
    market: (s) => inner.market(s),
    fetchTicker: (s) => inner.fetchTicker(s),
    fetchCandles: (s, tf, a, b) => inner.fetchCandles(s, tf, a, b),
    fetchBalance: () => inner.fetchBalance(),
    createOrder: async (req) => {
      check(req.clientOrderId);
      return inner.createOrder(req);
    },
    fetchOrder: (s, cid) => inner.fetchOrder(s, cid),
    cancelOrder: async (s, cid) => {
      check(cid);
      return inner.cancelOrder(s, cid);
    },
    fetchOpenOrders: (s) => inner.fetchOpenOrders(s),
    fetchMyTrades: (s, since) => inner.fetchMyTrades(s, since),
    close: () => inner.close(),
  };
}
