/**
 * One request budget per exchange account, shared by every bot (adapter instance) on it: a token
 * bucket of request weight that refills continuously, plus a pause everyone honours after the
 * exchange answers 429/418 with Retry-After.
 */
import type { Clock } from '../../lib/clock.js';
import { ExchangeError } from '../types.js';
import type { Sleep } from './backoff.js';

export interface RequestBudgetOptions {
  /** Burst size, in request weight. */
  capacity: number;
  /** Weight regained per second. */
  refillPerSecond: number;
  clock: Clock;
  sleep: Sleep;
  /** A caller that would wait longer than this gets a retryable rate_limit error instead. Default 30 s. */
  maxWaitMs?: number;
}

export class RequestBudget {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  /** Total weight granted and total time callers waited (for metrics and tests). */
  granted = 0;
  waitedMs = 0;

  constructor(private readonly opts: RequestBudgetOptions) {
    this.tokens = opts.capacity;
    this.last = opts.clock.now();
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.opts.capacity, this.tokens + ((now - this.last) / 1000) * this.opts.refillPerSecond);
      this.last = now;
    }
  }

  /** Reserves `weight`, waiting for the bucket (and any pause) first. */
  async take(weight: number): Promise<void> {
    const now = this.opts.clock.now();
    this.refill(now);
    this.tokens -= weight; // reservations queue up as debt, so waiters are served in order
    const refillWait = this.tokens >= 0 ? 0 : (-this.tokens / this.opts.refillPerSecond) * 1000;
    const wait = Math.max(refillWait, this.pausedUntil - now);
    if (wait > (this.opts.maxWaitMs ?? 30_000)) {
      this.tokens += weight;
      throw new ExchangeError('retryable', 'rate_limit', `request budget exhausted: next request possible in ${Math.ceil(wait)} ms`, Math.ceil(wait));
    }
    this.granted += weight;
    if (wait > 0) {
      this.waitedMs += wait;
      await this.opts.sleep(Math.ceil(wait));
    }
  }

  /** Stops every caller until `ms` from now (the exchange said Retry-After). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.opts.clock.now() + ms);
  }
}

const registry = new Map<string, RequestBudget>();

/** The budget of an account (key: exchange, address and key fingerprint), created on first use. */
export function sharedRequestBudget(key: string, create: () => RequestBudget): RequestBudget {
  let b = registry.get(key);
  if (!b) {
    b = create();
    registry.set(key, b);
  }
  return b;
}

/** Request weights of Binance spot endpoints (REQUEST_WEIGHT, 6000 per minute per IP). */
export const BINANCE_WEIGHTS = {
  exchangeInfo: 20,
  time: 1,
  ticker: 2,
  klines: 2,
  account: 20,
  createOrder: 1,
  fetchOrder: 4,
  cancelOrder: 1,
  openOrders: 6,
  myTrades: 20,
} as const;
