/**
 * The Exchange port: the only door to markets. Engines, backtests and commands see this interface
 * and cannot tell paper from live except by `mode`.
 *
 * Prices and amounts are JS numbers already snapped to the market's tick/step (see lib/precision);
 * fee rates are fractions (0.001 = 0.1 %). Times are Unix milliseconds UTC.
 */

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type OrderStatus = 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired';
export type TradingMode = 'paper' | 'live';

/** A market's trading rules, as the exchange enforces them. */
export interface MarketRules {
  /** Unified symbol, e.g. 'BTC/USDT'. */
  symbol: string;
  /** Exchange-native id, e.g. 'BTCUSDT'. */
  id: string;
  base: string;
  quote: string;
  /** Price increment. */
  tickSize: number;
  /** Amount (base) increment. */
  stepSize: number;
  /** Minimum amount (base). */
  minAmount: number;
  /** Maximum amount (base) per order, if any. */
  maxAmount?: number;
  /** Minimum order value in quote (price * amount). */
  minNotional: number;
  makerFee: number;
  takerFee: number;
}

export interface Ticker {
  symbol: string;
  bid: number;
  ask: number;
  last: number;
  timestamp: number;
}

/** One OHLCV candle; `time` is the candle's OPEN time. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type Timeframe = '1m' | '5m' | '15m' | '1h' | '4h' | '1d';

export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export interface AssetBalance {
  free: number;
  used: number;
  total: number;
}
export type Balances = Record<string, AssetBalance>;

export interface Fee {
  cost: number;
  currency: string;
}

export interface OrderRequest {
  /** Our deterministic id, derived from (bot instance, intent sequence); written to the DB before sending. */
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  /** Base amount. */
  amount: number;
  /** Required for limit orders. */
  price?: number;
  postOnly?: boolean;
}

export interface Order {
  /** Exchange order id. */
  id: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  /** Limit price; null for market orders. */
  price: number | null;
  amount: number;
  /** Cumulative filled base amount (decide on this, never on status alone). */
  filled: number;
  remaining: number;
  /** Average fill price, null when nothing filled. */
  average: number | null;
  status: OrderStatus;
  /** Total fee charged so far, when known. */
  fee: Fee | null;
  createdAt: number;
  updatedAt: number;
}

export interface Trade {
  /** Exchange trade id: the idempotency key for fill ingestion. */
  id: string;
  orderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: Side;
  price: number;
  amount: number;
  /** price * amount, in quote. */
  cost: number;
  fee: Fee;
  takerOrMaker: 'maker' | 'taker';
  timestamp: number;
}

/** What kind of failure an exchange call had; decides retry, report or reconcile. */
export type ExchangeErrorKind =
  /** Network, timeout, rate limit, maintenance: safe to retry a read after `retryAfterMs`. */
  | 'retryable'
  /** The exchange refused: insufficient funds, invalid amount/price, below minimum, unknown symbol/order. */
  | 'rejected'
  /** Bad key, bad signature, missing permission. */
  | 'auth'
  /** A write whose result we do not know: look it up by client order id, never resend blindly. */
  | 'unknown_outcome'
  /** The exchange answered something we could not parse. */
  | 'bad_response';

export type ExchangeErrorReason =
  | 'network'
  | 'timeout'
  | 'rate_limit'
  | 'maintenance'
  | 'server_error'
  | 'clock_skew'
  | 'insufficient_funds'
  | 'invalid_amount'
  | 'invalid_price'
  | 'below_minimum'
  | 'unknown_symbol'
  | 'order_not_found'
  | 'order_not_cancelable'
  | 'post_only_would_take'
  /** An open order already carries this client order id. */
  | 'duplicate_client_order_id'
  | 'authentication'
  | 'bad_response'
  | 'unknown';

export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  constructor(
    readonly kind: ExchangeErrorKind,
    readonly reason: ExchangeErrorReason,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

export interface ExchangePort {
  /** e.g. 'binance' or 'paper:binance'. */
  readonly id: string;
  readonly mode: TradingMode;
  /** All markets' rules; `reload` forces a fresh load (after a failure ccxt caches the error). */
  loadMarkets(reload?: boolean): Promise<ReadonlyMap<string, MarketRules>>;
  /** Rules of one market; throws ExchangeError('rejected','unknown_symbol') for an unknown symbol. */
  market(symbol: string): Promise<MarketRules>;
  fetchTicker(symbol: string): Promise<Ticker>;
  /** Candles with open time in [since, until), paged as needed, ascending, no duplicates. */
  fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]>;
  fetchBalance(): Promise<Balances>;
  /** Validates precision and minimums first; amounts round down to the step, prices toward the passive side. */
  createOrder(req: OrderRequest): Promise<Order>;
  /** Looks an order up by our client order id; null when the exchange does not know it. */
  fetchOrder(symbol: string, clientOrderId: string): Promise<Order | null>;
  /** Cancels by client order id and returns the order's final state (it may have filled meanwhile). */
  cancelOrder(symbol: string, clientOrderId: string): Promise<Order>;
  fetchOpenOrders(symbol: string): Promise<Order[]>;
  /** Own trades with timestamp >= since, ascending. */
  fetchMyTrades(symbol: string, since: number): Promise<Trade[]>;
  close(): Promise<void>;
}
