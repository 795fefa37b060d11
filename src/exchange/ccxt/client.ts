/**
 * The one place that loads ccxt (lazily: it costs ~0.6 s and ~130 MB) and builds a configured
 * exchange instance: spot only, no currency/margin calls, ccxt's own rate limiter off (the shared
 * request budget replaces it), EXCHANGE_API_URL applied to every REST base address, and the
 * Retry-After header kept on rate-limit errors.
 */
import type * as Ccxt from 'ccxt';
import type { ApiCredentials } from '../credentials.js';

export type CcxtModule = typeof Ccxt;
export type CcxtExchangeInstance = InstanceType<CcxtModule['Exchange']>;

let loading: Promise<CcxtModule> | undefined;

/** Imports ccxt once per process, on first use. */
export function loadCcxt(): Promise<CcxtModule> {
  loading ??= import('ccxt');
  return loading;
}

export interface CcxtClientOptions {
  exchange: string;
  credentials?: ApiCredentials | null;
  apiUrl?: string | null;
  timeoutMs: number;
  recvWindowMs: number;
  /** For Retry-After given as an HTTP date. */
  now: () => number;
}

/** Replaces the origin of every REST base URL (recursively) with `base`, keeping each path. */
export function overrideApiUrls(api: unknown, base: string): unknown {
  const b = new URL(base);
  const prefix = `${b.protocol}//${b.host}${b.pathname.replace(/\/+$/, '')}`;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && /^https?:\/\//.test(v)) {
      const u = new URL(v);
      return `${prefix}${u.pathname.replace(/\/+$/, '')}`;
    }
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(api);
}

/** Seconds (possibly fractional) or an HTTP date -> milliseconds. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export function createCcxtClient(ccxt: CcxtModule, opts: CcxtClientOptions): CcxtExchangeInstance {
  const Ctor = (ccxt as unknown as Record<string, unknown>)[opts.exchange];
  if (typeof Ctor !== 'function') throw new Error(`ccxt has no exchange "${opts.exchange}"`);
  const config: Record<string, unknown> = {
    timeout: opts.timeoutMs,
    enableRateLimit: false,
    options: {
      defaultType: 'spot',
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      adjustForTimeDifference: false,
      recvWindow: opts.recvWindowMs,
      fetchOpenOrders: { warnWithoutSymbol: false },
      warnOnFetchOpenOrdersWithoutSymbol: false,
    },
  };
  if (opts.credentials) {
    config.apiKey = opts.credentials.apiKey.reveal();
    config.secret = opts.credentials.secret.reveal();
  }
  const ex = new (Ctor as new (c: Record<string, unknown>) => CcxtExchangeInstance)(config);
  if (opts.apiUrl) {
    const urls = ex.urls as { api: unknown };
    urls.api = overrideApiUrls(urls.api, opts.apiUrl);
  }
  // Keep the Retry-After hint on the error ccxt throws (binance: 429/418), and refuse a 2xx answer
  // that is not JSON (ccxt would hand the raw text to its parsers, e.g. an empty balance).
  const handleErrors = ex.handleErrors.bind(ex) as (...args: unknown[]) => unknown;
  (ex as unknown as { handleErrors: (...args: unknown[]) => unknown }).handleErrors = (...args: unknown[]) => {
    const [code, , url, method, , body, parsed] = args as [number, string, string, string, unknown, unknown, unknown];
    if (code >= 200 && code < 300 && parsed === undefined && typeof body === 'string' && body.trim() !== '') {
      throw new ccxt.BadResponse(`${opts.exchange} ${method} ${url.split('?')[0]} answered ${code} with a body that is not JSON: ${body.slice(0, 80)}`);
    }
    try {
      return handleErrors(...args);
    } catch (err) {
      const headers = (args[4] ?? {}) as Record<string, unknown>;
      const ms = parseRetryAfter(headers['Retry-After'] ?? headers['retry-after'], opts.now());
      if (ms !== undefined && err && typeof err === 'object') (err as { retryAfterMs?: number }).retryAfterMs = ms;
      throw err;
    }
  };
  return ex;
}

/** Closes ccxt's keep-alive sockets (ccxt's own close() leaves its undici dispatcher open). */
export async function closeCcxtClient(ex: CcxtExchangeInstance): Promise<void> {
  await ex.close();
  const d = (ex as unknown as { fetchDispatcher?: { destroy?: () => Promise<void> } }).fetchDispatcher;
  await d?.destroy?.().catch(() => undefined);
}
