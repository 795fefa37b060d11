/**
 * The paper exchange: an in-process matching engine behind the Exchange port. Same rules, same
 * rejections (precision, minimum value, funds) as the live adapter; prices come from a
 * market-data source (pulled lazily on every call) or are pushed with `onCandle` / `onTicker`.
 * Every change is persisted through a PaperStateStore before the call returns.
 */
import type { Clock } from '../../lib/clock.js';
import { rejected, unknownSymbol } from '../errors.js';
import type { MarketDataSource } from '../market-data/source.js';
import {
  ExchangeError,
  TIMEFRAME_MS,
  type Balances,
  type Candle,
  type ExchangePort,
  type MarketRules,
  type Order,
  type OrderRequest,
  type Ticker,
  type Timeframe,
  type Trade,
} from '../types.js';
import { PaperBook, freshSnapshot, type BookOptions } from './book.js';
import { orderView } from './orders.js';
import { MemoryPaperStateStore, type PaperStateStore } from './state.js';

export type MarketsProvider = ReadonlyMap<string, MarketRules> | (() => Promise<ReadonlyMap<string, MarketRules>>);

export interface PaperExchangeOptions extends Partial<BookOptions> {
  /** Default 'paper:binance'. */
  id?: string;
  markets: MarketsProvider;
  clock: Clock;
  store?: PaperStateStore;
  /** Starting balances when the store is empty. Default { USDT: 10000 }. */
  initialBalances?: Record<string, number>;
  marketData?: MarketDataSource | null;
  /** Most candles taken from the source in one catch-up (older ones are skipped). Default 5000. */
  maxCatchUpCandles?: number;
  /** With a live source: fetch its ticker at most this often per symbol. Default 1000 ms. */
  livePollMs?: number;
}

export const DEFAULT_PAPER_BALANCES: Readonly<Record<string, number>> = Object.freeze({ USDT: 10_000 });

export class PaperExchange implements ExchangePort {
  readonly id: string;
  readonly mode = 'paper' as const;
  private markets: ReadonlyMap<string, MarketRules> | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed = false;
  private readonly lastPoll = new Map<string, number>();

  private constructor(
    private readonly opts: PaperExchangeOptions,
    private readonly book: PaperBook,
    private readonly store: PaperStateStore,
  ) {
    this.id = opts.id ?? 'paper:binance';
  }

  /** Opens the paper exchange, restoring its state from the store (or starting with the initial balances). */
  static async open(opts: PaperExchangeOptions): Promise<PaperExchange> {
    const store = opts.store ?? new MemoryPaperStateStore();
    const snap = (await store.load()) ?? freshSnapshot(opts.initialBalances ?? { ...DEFAULT_PAPER_BALANCES });
    const book = new PaperBook(snap, {
      slippage: opts.slippage ?? 0.0005,
      pessimistic: opts.pessimistic ?? false,
      volumeShare: opts.volumeShare ?? null,
      keepClosedOrders: opts.keepClosedOrders ?? 500,
      keepTrades: opts.keepTrades ?? 1_000,
    });
    const ex = new PaperExchange(opts, book, store);
    await ex.persist();
    return ex;
  }

  get marketData(): MarketDataSource | null {
    return this.opts.marketData ?? null;
  }

  async loadMarkets(reload = false): Promise<ReadonlyMap<string, MarketRules>> {
    if (this.markets && !reload) return this.markets;
    const m = this.opts.markets;
    this.markets = typeof m === 'function' ? await m() : m;
    return this.markets;
  }

  async market(symbol: string): Promise<MarketRules> {
    const rules = (await this.loadMarkets()).get(symbol);
    if (!rules) throw unknownSymbol(symbol);
    return rules;
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    await this.market(symbol);
    await this.sync([symbol]);
    const p = this.book.price(symbol);
    if (p) return { symbol, bid: p.bid, ask: p.ask, last: p.last, timestamp: p.timestamp };
    throw new ExchangeError('retryable', 'server_error', `${symbol}: no price yet (no market data has arrived)`);
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]> {
    await this.market(symbol);
    const src = this.opts.marketData;
    if (!src) throw rejected('unknown', 'this paper exchange has no market-data source for candles');
    return src.fetchCandles(symbol, timeframe, since, until);
  }

  async fetchBalance(): Promise<Balances> {
    await this.sync(this.book.activeSymbols());
    return this.book.balances();
  }

  async createOrder(req: OrderRequest): Promise<Order> {
    this.assertOpen();
    const rules = await this.market(req.symbol);
    await this.sync([req.symbol]);
    const rec = this.book.place(rules, req, this.opts.clock.now());
    await this.persist();
    return orderView(rec);
  }

  async fetchOrder(symbol: string, clientOrderId: string): Promise<Order | null> {
    await this.market(symbol);
    await this.sync([symbol]);
    const rec = this.book.find(symbol, clientOrderId);
    return rec ? orderView(rec) : null;
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<Order> {
    this.assertOpen();
    await this.market(symbol);
    await this.sync([symbol]);
    const rec = this.book.cancel(symbol, clientOrderId, this.opts.clock.now());
    await this.persist();
    return orderView(rec);
  }

  async fetchOpenOrders(symbol: string): Promise<Order[]> {
    await this.market(symbol);
    await this.sync([symbol]);
    return this.book.openOrders(symbol).map(orderView);
  }

  async fetchMyTrades(symbol: string, since: number): Promise<Trade[]> {
    await this.market(symbol);
    await this.sync([symbol]);
    return this.book.tradesSince(symbol, since);
  }

  /** Advances a market by one closed candle (backtests, replays, tests). Returns the number of fills. */
  async onCandle(symbol: string, candle: Candle): Promise<number> {
    const rules = await this.market(symbol);
    const n = this.book.applyCandle(rules, candle);
    await this.persist();
    return n;
  }

  /** Advances a market by a live price. Returns the number of fills. */
  async onTicker(ticker: Ticker): Promise<number> {
    const rules = await this.market(ticker.symbol);
    const n = this.book.applyTicker(rules, ticker);
    await this.persist();
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.saveChain;
  }

  private assertOpen(): void {
    if (this.closed) throw new ExchangeError('retryable', 'network', 'the paper exchange is closed');
  }

  /**
   * Pulls what happened in the market since the last call: the source's closed candles from the
   * cursor on (matching runs on each), and for live sources the latest ticker.
   */
  private async sync(symbols: readonly string[]): Promise<void> {
    const src = this.opts.marketData;
    if (!src || symbols.length === 0) return;
    let changed = false;
    for (const symbol of symbols) {
      const tf = src.baseTimeframe(symbol);
      if (!tf) continue;
      const tfMs = TIMEFRAME_MS[tf];
      const now = src.clock.now();
      const rules = await this.market(symbol);
      const maxBack = (this.opts.maxCatchUpCandles ?? 5000) * tfMs;
      const current = Math.floor(now / tfMs) * tfMs;
      let cursor = this.book.cursors.get(symbol);
      // First contact: match from the candle in progress on. After a long pause: skip what is too old.
      if (cursor === undefined) cursor = current;
      else if (cursor < current - maxBack) cursor = current - maxBack;
      if (cursor !== this.book.cursors.get(symbol)) {
        this.book.cursors.set(symbol, cursor);
        changed = true;
      }
      if (cursor + tfMs <= now) {
        const candles = await src.fetchCandles(symbol, tf, cursor, now);
        // Re-read the cursor after the await: a concurrent call may have applied some already.
        for (const c of candles) {
          if (c.time < (this.book.cursors.get(symbol) ?? cursor)) continue;
          this.book.applyCandle(rules, c, c.time + tfMs);
          this.book.cursors.set(symbol, c.time + tfMs);
        }
        // A replay with nothing closed in [cursor, now) has a gap in its data: move on. (A live
        // source may just be late with its last candle: ask again next time.)
        if (candles.length === 0 && src.kind !== 'live' && (this.book.cursors.get(symbol) ?? cursor) < current) this.book.cursors.set(symbol, current);
        changed = true;
      }
      // The latest price: a live source's ticker is fresher than its closed candles (polled at most
      // every livePollMs); other sources' tickers only fill in before the first candle.
      const known = this.book.price(symbol);
      const lastPoll = this.lastPoll.get(symbol) ?? -Infinity;
      if (!known || (src.kind === 'live' && this.opts.clock.now() - lastPoll >= (this.opts.livePollMs ?? 1_000))) {
        this.lastPoll.set(symbol, this.opts.clock.now());
        const t = await src.fetchTicker(symbol).catch(() => null);
        if (t) {
          this.book.applyTicker(rules, t);
          changed = true;
        }
      }
    }
    if (changed) await this.persist();
  }

  /** Saves the latest state; calls coalesce, saves never overlap, and each caller waits for its save. */
  private persist(): Promise<void> {
    this.dirty = true;
    const step = this.saveChain.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await this.store.save(this.book.snapshot());
    });
    this.saveChain = step.catch(() => undefined);
    return step;
  }
}
