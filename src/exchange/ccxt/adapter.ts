/**
 * The live exchange: the Exchange port over ccxt. Reads retry with jittered back-off; writes are
 * never resent blindly: when a write's outcome is unknown (timeout, reset, 5xx, garbled answer)
 * the order is looked up by its client order id, and only an order proven absent (after the
 * exchange's recvWindow has closed) is sent again. Orders are checked against the market's
 * precision and minimum value before anything is sent.
 */
import { inspect } from 'node:util';
import type { Clock } from '../../lib/clock.js';
import type { ApiCredentials } from '../credentials.js';
import { unknownSymbol } from '../errors.js';
import { prepareOrder } from '../order-rules.js';
import {
  ExchangeError,
  type Balances,
  type Candle,
  type ExchangeErrorReason,
  type ExchangePort,
  type MarketRules,
  type Order,
  type OrderRequest,
  type Ticker,
  type Timeframe,
  type Trade,
} from '../types.js';
import { DEFAULT_BACKOFF, backoffDelay, realSleep, type BackoffPolicy, type Sleep } from './backoff.js';
import { closeCcxtClient, createCcxtClient, loadCcxt, type CcxtExchangeInstance, type CcxtModule } from './client.js';
import { certainlyNotProcessed, mapCcxtError } from './errors.js';
import { pageCandles, pageTrades } from './paging.js';
import { parseBalance, parseCandles, parseMarkets, parseOrder, parseTicker, parseTrade } from './parse.js';
import { BINANCE_WEIGHTS as W, RequestBudget, sharedRequestBudget } from './request-budget.js';

export type AdapterEvent =
  | { type: 'retry'; op: string; attempt: number; delayMs: number; reason: ExchangeErrorReason; retryAfterMs?: number }
  | { type: 'unknown_outcome'; op: 'createOrder' | 'cancelOrder'; clientOrderId: string; reason: ExchangeErrorReason }
  | { type: 'settled'; op: 'createOrder' | 'cancelOrder'; clientOrderId: string; found: boolean; lookups: number }
  | { type: 'unsettled'; op: 'createOrder' | 'cancelOrder'; clientOrderId: string; message: string }
  | { type: 'resend'; op: 'createOrder' | 'cancelOrder'; clientOrderId: string; attempt: number }
  | { type: 'resync'; timeDifferenceMs: number }
  | { type: 'reload_markets' };

export interface CcxtAdapterOptions {
  /** ccxt exchange id. Default 'binance'. */
  exchange?: string;
  /** Without keys only public calls work (market data). */
  credentials?: ApiCredentials | null;
  /** EXCHANGE_API_URL: replaces the REST base address (testnets, emulators). */
  apiUrl?: string | null;
  clock: Clock;
  /** Jitter source, [0, 1). */
  random: () => number;
  sleep?: Sleep;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Binance recvWindow: how long a signed request stays valid. Default 5 s. */
  recvWindowMs?: number;
  /** Extra wait after recvWindow before an order is declared absent. Default 1 s. */
  settleMarginMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Sends of one order or cancel, counting resends of proven-absent orders. Default 3. */
  writeAttempts?: number;
  /** Default: the shared budget of this account (80 % of Binance's 6000 weight per minute). */
  budget?: RequestBudget;
  /** Trades older than this are not fetched by fetchMyTrades. Default 30 days. */
  maxTradeLookbackMs?: number;
  /** The ccxt module (tests share one import); by default loaded lazily on the first call. */
  ccxt?: CcxtModule;
  onEvent?: (e: AdapterEvent) => void;
}

type Op = 'createOrder' | 'cancelOrder';

export class CcxtExchange implements ExchangePort {
  readonly id: string;
  readonly mode = 'live' as const;
  private readonly policy: BackoffPolicy;
  private readonly sleep: Sleep;
  private readonly budget: RequestBudget;
  private client: Promise<{ ccxt: CcxtModule; ex: CcxtExchangeInstance }> | null = null;
  private rules: Map<string, MarketRules> | null = null;
  private marketsFailed = false;
  private resyncing: Promise<void> | null = null;
  private readonly clientIds = new Map<string, string>();

  constructor(private readonly opts: CcxtAdapterOptions) {
    this.id = opts.exchange ?? 'binance';
    this.policy = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.sleep = opts.sleep ?? realSleep;
    const account = `${this.id}|${opts.apiUrl ?? 'default'}|${opts.credentials?.fingerprint() ?? 'public'}`;
    this.budget =
      opts.budget ??
      sharedRequestBudget(account, () => new RequestBudget({ capacity: 1200, refillPerSecond: 80, clock: opts.clock, sleep: this.sleep }));
  }

  private init(): Promise<{ ccxt: CcxtModule; ex: CcxtExchangeInstance }> {
    this.client ??= (async () => {
      const ccxt = this.opts.ccxt ?? (await loadCcxt());
      const ex = createCcxtClient(ccxt, {
        exchange: this.id,
        credentials: this.opts.credentials ?? null,
        apiUrl: this.opts.apiUrl ?? null,
        timeoutMs: this.opts.timeoutMs ?? 10_000,
        recvWindowMs: this.opts.recvWindowMs ?? 5_000,
        now: () => this.opts.clock.now(),
      });
      return { ccxt, ex };
    })();
    return this.client;
  }

  private emit(e: AdapterEvent): void {
    this.opts.onEvent?.(e);
  }

  /** A read: budgeted, retried with back-off on retryable errors and garbled answers. */
  private async read<T>(op: string, weight: number, fn: (ex: CcxtExchangeInstance) => Promise<T>): Promise<T> {
    const { ccxt, ex } = await this.init();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.budget.take(weight);
        return await fn(ex);
      } catch (raw) {
        const err = mapCcxtError(raw, ccxt);
        await this.afterFailure(err);
        const tooLong = err.retryAfterMs !== undefined && err.retryAfterMs > this.policy.maxRetryAfterMs;
        if ((err.kind !== 'retryable' && err.kind !== 'bad_response') || attempt >= this.policy.attempts || tooLong) throw err;
        await this.backoff(op, attempt, err);
      }
    }
  }

  private async afterFailure(err: ExchangeError): Promise<void> {
    if (err.reason === 'rate_limit' && err.retryAfterMs) this.budget.pause(err.retryAfterMs);
    if (err.reason === 'clock_skew') await this.resync().catch(() => undefined);
  }

  private async backoff(op: string, attempt: number, err: ExchangeError): Promise<void> {
    const delayMs = backoffDelay(attempt, this.policy, this.opts.random, err.retryAfterMs);
    this.emit({ type: 'retry', op, attempt, delayMs, reason: err.reason, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) });
    await this.sleep(delayMs);
  }

  /** Re-reads the exchange's clock (after a timestamp rejection); concurrent callers share one resync. */
  private resync(): Promise<void> {
    this.resyncing ??= (async () => {
      const { ex } = await this.init();
      await this.budget.take(W.time);
      const diff = await ex.loadTimeDifference();
      this.emit({ type: 'resync', timeDifferenceMs: Number(diff) });
    })().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  async loadMarkets(reload = false): Promise<ReadonlyMap<string, MarketRules>> {
    if (this.rules && !reload) return this.rules;
    const raw = await this.read('loadMarkets', W.exchangeInfo, async (ex) => {
      // ccxt caches a failed load and replays the error until a forced reload.
      const force = reload || this.marketsFailed;
      if (this.marketsFailed) this.emit({ type: 'reload_markets' });
      try {
        const m = await ex.loadMarkets(force);
        this.marketsFailed = false;
        return m;
      } catch (err) {
        this.marketsFailed = true;
        throw err;
      }
    });
    this.rules = parseMarkets(raw);
    return this.rules;
  }

  async market(symbol: string): Promise<MarketRules> {
    const rules = (await this.loadMarkets()).get(symbol);
    if (!rules) throw unknownSymbol(symbol);
    return rules;
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    await this.market(symbol);
    const raw = await this.read('fetchTicker', W.ticker, (ex) => ex.fetchTicker(symbol));
    return parseTicker(raw, symbol, this.opts.clock.now());
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]> {
    await this.market(symbol);
    return pageCandles(timeframe, since, until, async (from, limit) => {
      const raw = await this.read('fetchCandles', W.klines, (ex) => ex.fetchOHLCV(symbol, timeframe, from, limit, { until: until - 1 }));
      return parseCandles(raw);
    });
  }

  async fetchBalance(): Promise<Balances> {
    await this.loadMarkets();
    return parseBalance(await this.read('fetchBalance', W.account, (ex) => ex.fetchBalance()));
  }

  async fetchOrder(symbol: string, clientOrderId: string): Promise<Order | null> {
    const rules = await this.market(symbol);
    const { ccxt } = await this.init();
    try {
      const raw = await this.read('fetchOrder', W.fetchOrder, (ex) => ex.fetchOrder(clientOrderId, symbol, { origClientOrderId: clientOrderId }));
      return this.remember(parseOrder(raw, rules, clientOrderId));
    } catch (err) {
      if (mapCcxtError(err, ccxt).reason === 'order_not_found') return null;
      throw err;
    }
  }

  async fetchOpenOrders(symbol: string): Promise<Order[]> {
    const rules = await this.market(symbol);
    const raw = await this.read('fetchOpenOrders', W.openOrders, (ex) => ex.fetchOpenOrders(symbol));
    if (!Array.isArray(raw)) throw new ExchangeError('bad_response', 'bad_response', 'open orders: expected a list');
    return raw.map((o) => this.remember(parseOrder(o, rules)));
  }

  async fetchMyTrades(symbol: string, since: number): Promise<Trade[]> {
    const rules = await this.market(symbol);
    const now = this.opts.clock.now();
    const from = Math.max(since, now - (this.opts.maxTradeLookbackMs ?? 30 * 86_400_000));
    return pageTrades(from, now, async (start, end, limit) => {
      const raw = await this.read('fetchMyTrades', W.myTrades, (ex) => ex.fetchMyTrades(symbol, start, limit, { until: end }));
      if (!Array.isArray(raw)) throw new ExchangeError('bad_response', 'bad_response', 'trades: expected a list');
      return raw.map((t) => parseTrade(t, rules, (orderId) => this.clientIds.get(orderId) ?? null));
    });
  }

  async createOrder(req: OrderRequest): Promise<Order> {
    const rules = await this.market(req.symbol);
    const reference = req.type === 'market' ? (await this.fetchTicker(req.symbol)).last : undefined;
    const prep = prepareOrder(rules, req, reference);
    const params: Record<string, unknown> = { newClientOrderId: req.clientOrderId };
    if (req.postOnly) params.postOnly = true;
    return this.write('createOrder', req.clientOrderId, rules, async (ex) => {
      const raw = await ex.createOrder(req.symbol, req.type, req.side, prep.amount, prep.price ?? undefined, params);
      return parseOrder(raw, rules, req.clientOrderId);
    });
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<Order> {
    const rules = await this.market(symbol);
    return this.write('cancelOrder', clientOrderId, rules, async (ex) => {
      const raw = await ex.cancelOrder(clientOrderId, symbol, { origClientOrderId: clientOrderId });
      // Binance answers a cancel with the cancel request's own id in clientOrderId.
      return { ...parseOrder(raw, rules), clientOrderId };
    });
  }

  /**
   * One write with its settlement: an error that proves nothing happened is retried after back-off;
   * an unknown outcome is looked up by client order id and resent only when proven absent.
   */
  private async write(op: Op, clientOrderId: string, rules: MarketRules, send: (ex: CcxtExchangeInstance) => Promise<Order>): Promise<Order> {
    const { ccxt, ex } = await this.init();
    const attempts = this.opts.writeAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      let sentAt: number | null = null;
      try {
        await this.budget.take(op === 'createOrder' ? W.createOrder : W.cancelOrder);
        sentAt = this.opts.clock.now();
        return this.remember(await send(ex));
      } catch (raw) {
        const err = mapCcxtError(raw, ccxt);
        if (sentAt === null) throw err; // the budget refused: nothing was sent
        if (op === 'cancelOrder' && err.reason === 'order_not_found') {
          // Unknown to cancel: already filled or canceled (or never existed). Report its final state.
          const o = await this.fetchOrder(rules.symbol, clientOrderId);
          if (o) return o;
          throw err;
        }
        if (certainlyNotProcessed(err)) {
          await this.afterFailure(err);
          const tooLong = err.retryAfterMs !== undefined && err.retryAfterMs > this.policy.maxRetryAfterMs;
          if (err.kind !== 'retryable' || attempt >= attempts || tooLong) throw err;
          await this.backoff(op, attempt, err);
          continue;
        }
        this.emit({ type: 'unknown_outcome', op, clientOrderId, reason: err.reason });
        const found = await this.settle(op, rules.symbol, clientOrderId, op === 'createOrder' ? sentAt : null);
        const done = found && (op === 'createOrder' || (found.status !== 'open' && found.status !== 'partially_filled'));
        if (done) return found;
        if (op === 'cancelOrder' && !found) throw new ExchangeError('rejected', 'order_not_found', `${rules.symbol}: no order with client order id ${clientOrderId}`);
        if (attempt >= attempts) {
          const what = op === 'createOrder' ? 'was not placed' : 'is still open';
          throw new ExchangeError('retryable', err.reason, `${op} ${clientOrderId} ${what} (checked by client order id): ${err.message}`, err.retryAfterMs, { cause: err });
        }
        this.emit({ type: 'resend', op, clientOrderId, attempt: attempt + 1 });
        await this.backoff(op, attempt, err);
      }
    }
  }

  /**
   * Settles an unknown outcome by looking the order up. For a create, "not found" is final only once
   * the request can no longer be processed (its recvWindow has passed): until then look again.
   * Throws ExchangeError('unknown_outcome') when the lookups themselves fail.
   */
  private async settle(op: Op, symbol: string, clientOrderId: string, sentAt: number | null): Promise<Order | null> {
    const deadline = sentAt === null ? 0 : sentAt + (this.opts.recvWindowMs ?? 5_000) + (this.opts.settleMarginMs ?? 1_000);
    let lookups = 0;
    try {
      for (;;) {
        lookups++;
        const o = await this.fetchOrder(symbol, clientOrderId);
        const wait = deadline - this.opts.clock.now();
        if (o || wait <= 0) {
          this.emit({ type: 'settled', op, clientOrderId, found: o !== null, lookups });
          return o;
        }
        await this.sleep(wait);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.emit({ type: 'unsettled', op, clientOrderId, message });
      throw new ExchangeError('unknown_outcome', err instanceof ExchangeError ? err.reason : 'unknown', `${op} ${clientOrderId}: outcome unknown, and looking it up failed: ${message}`, undefined, { cause: err });
    }
  }

  private remember(o: Order): Order {
    if (o.clientOrderId) {
      this.clientIds.set(o.id, o.clientOrderId);
      if (this.clientIds.size > 10_000) this.clientIds.delete(this.clientIds.keys().next().value!);
    }
    return o;
  }

  /** Never print the ccxt instance inside (it holds the keys in clear). */
  toJSON(): Record<string, string> {
    return { id: this.id, mode: this.mode };
  }
  toString(): string {
    return `CcxtExchange(${this.id})`;
  }
  [inspect.custom](): string {
    return this.toString();
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await closeCcxtClient((await c).ex);
  }
}
