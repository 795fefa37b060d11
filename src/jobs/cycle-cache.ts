/**
 * One cycle of the trading loop reads the market once per symbol, not once per bot: the ticker, the
 * open orders and the recent own trades of a symbol are fetched by the first bot that asks and
 * shared with the other bots of the cycle (a thousand grid bots on BTC/USDT make three requests per
 * cycle instead of three thousand, which also keeps a live account within the exchange's limits).
 *
 * Sharing only ever delays what a bot sees, by at most one cycle: an order placed or cancelled for
 * a symbol drops that symbol's shared reads, orders missing from a shared open list are looked up one
 * by one (as always), and a trade that happened after the shared read is ingested next cycle (trades
 * are ingested by id, once). Lookups by client order id and every write go straight through.
 */
import type { ExchangePort, Order, Ticker, Trade } from '../exchange/types.js';

interface SymbolReads {
  ticker?: Promise<Ticker>;
  open?: Promise<Order[]>;
  trades?: { since: number; list: Promise<Trade[]> };
}

export class CycleCache {
  private reads = new Map<string, SymbolReads>();
  readonly port: ExchangePort;

  constructor(private readonly inner: ExchangePort) {
    this.port = this.sharing(inner);
  }

  private sharing(inner: ExchangePort): ExchangePort {
    return {
      get id() {
        return inner.id;
      },
      get mode() {
        return inner.mode;
      },
      loadMarkets: (reload) => inner.loadMarkets(reload),
      market: (s) => inner.market(s),
      fetchCandles: (s, tf, a, b) => inner.fetchCandles(s, tf, a, b),
      fetchBalance: () => inner.fetchBalance(),
      fetchOrder: (s, cid) => inner.fetchOrder(s, cid),
      fetchTicker: (s) => this.shared(s, 'ticker', () => inner.fetchTicker(s)),
      fetchOpenOrders: (s) => this.shared(s, 'open', () => inner.fetchOpenOrders(s)),
      fetchMyTrades: (s, since) => this.trades(s, since),
      createOrder: (req) => this.write(req.symbol, () => inner.createOrder(req)),
      cancelOrder: (s, cid) => this.write(s, () => inner.cancelOrder(s, cid)),
      close: () => inner.close(),
    };
  }

  /** A new cycle: forget every shared read. */
  begin(): void {
    this.reads.clear();
  }

  private entry(symbol: string): SymbolReads {
    let e = this.reads.get(symbol);
    if (!e) {
      e = {};
      this.reads.set(symbol, e);
    }
    return e;
  }

  private shared<K extends 'ticker' | 'open'>(symbol: string, key: K, fetch: () => NonNullable<SymbolReads[K]>): NonNullable<SymbolReads[K]> {
    const e = this.entry(symbol);
    let p = e[key];
    if (!p) {
      p = fetch();
      e[key] = p;
      // A failed read is not shared: the next bot asks again.
      p.catch(() => {
        if (this.reads.get(symbol)?.[key] === p) delete this.reads.get(symbol)![key];
      });
    }
    return p as NonNullable<SymbolReads[K]>;
  }

  private async trades(symbol: string, since: number): Promise<Trade[]> {
    const e = this.entry(symbol);
    if (!e.trades || since < e.trades.since) {
      const list = this.inner.fetchMyTrades(symbol, since);
      const t = { since, list };
      e.trades = t;
      list.catch(() => {
        if (this.reads.get(symbol)?.trades === t) delete this.reads.get(symbol)!.trades;
      });
    }
    return (await e.trades.list).filter((t) => t.timestamp >= since);
  }

  private async write<T>(symbol: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.reads.delete(symbol);
    }
  }
}
