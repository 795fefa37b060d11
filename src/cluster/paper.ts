/**
 * Paper trading with several processes. The paper exchange keeps its order book in memory and saves
 * it whole to one database row, so exactly one process may run it:
 * - workers take the `paper-account` lease before opening it (another worker waits as a standby and
 *   opens the book from the database when the lease comes free), and save only while holding it;
 * - the bot process never saves: it reads the book the worker saved (balances, orders, prices).
 */
import { PaperExchange } from '../exchange/paper/paper-exchange.js';
import type { PaperSnapshot, PaperStateStore } from '../exchange/paper/state.js';
import { ExchangeError, type ExchangePort, type MarketRules } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';

export const PAPER_LEASE = 'paper-account';

/** Loads like the store, never saves (the bot process). */
export function readOnlyPaperStore(store: PaperStateStore): PaperStateStore {
  return { load: () => store.load(), save: () => Promise.resolve() };
}

/** Saves only while `mayWrite()` (the worker holding the paper lease); otherwise the save fails. */
export function fencedPaperStore(store: PaperStateStore, mayWrite: () => boolean): PaperStateStore {
  return {
    load: () => store.load(),
    async save(s: PaperSnapshot) {
      if (!mayWrite()) throw new Error('this worker no longer holds the paper account; not saving its book');
      await store.save(s);
    },
  };
}

/**
 * The bot process's paper exchange: every read opens the book the worker last saved (cached for
 * `cacheMs`); orders are refused (workers trade, the bot process does not).
 */
export function paperView(base: ExchangePort, store: PaperStateStore, clock: Clock, cacheMs = 1_000): ExchangePort {
  let cached: { at: number; ex: Promise<PaperExchange> } | null = null;
  const current = (): Promise<PaperExchange> => {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) {
      const ex = (async () => {
        const markets: ReadonlyMap<string, MarketRules> = await base.loadMarkets();
        return PaperExchange.open({ id: base.id, markets, clock, store: readOnlyPaperStore(store), marketData: null });
      })();
      cached = { at: now, ex };
      ex.catch(() => (cached = null));
    }
    return cached.ex;
  };
  const refuse = (): never => {
    throw new ExchangeError('rejected', 'unknown', 'this process does not trade: orders go through the workers');
  };
  return {
    get id() {
      return base.id;
    },
    get mode() {
      return base.mode;
    },
    loadMarkets: (reload) => base.loadMarkets(reload),
    market: (s) => base.market(s),
    fetchCandles: (s, tf, a, b) => base.fetchCandles(s, tf, a, b),
    fetchTicker: async (s) => (await current()).fetchTicker(s),
    fetchBalance: async () => (await current()).fetchBalance(),
    fetchOrder: async (s, cid) => (await current()).fetchOrder(s, cid),
    fetchOpenOrders: async (s) => (await current()).fetchOpenOrders(s),
    fetchMyTrades: async (s, since) => (await current()).fetchMyTrades(s, since),
    createOrder: async () => refuse(),
    cancelOrder: async () => refuse(),
    close: () => base.close(),
  };
}
