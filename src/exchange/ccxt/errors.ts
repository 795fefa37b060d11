/**
 * ccxt errors -> ExchangeError, per the binance mappings in shared/notes/ccxt.md:
 * OperationFailed and below are retryable (rate limits carry a back-off hint, InvalidNonce means
 * clock skew), ExchangeError and below are final, anything else is a bad response.
 */
import type * as Ccxt from 'ccxt';
import { ExchangeError, type ExchangeErrorReason } from '../types.js';

type CcxtModule = typeof Ccxt;

function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  // ccxt puts the whole URL (with timestamp and signature) in some messages: keep the path only.
  return m.replace(/(https?:\/\/[^\s?]+)\?\S*/g, '$1?…').slice(0, 400);
}

function retryAfterOf(err: unknown): number | undefined {
  const v = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function rejectedReason(msg: string): ExchangeErrorReason {
  if (/Duplicate order/i.test(msg)) return 'duplicate_client_order_id';
  if (/insufficient balance/i.test(msg)) return 'insufficient_funds';
  if (/NOTIONAL/.test(msg)) return 'below_minimum';
  if (/LOT_SIZE|Precision is over|-1111/.test(msg)) return 'invalid_amount';
  if (/PRICE_FILTER|PERCENT_PRICE/.test(msg)) return 'invalid_price';
  if (/Invalid symbol|-1121/.test(msg)) return 'unknown_symbol';
  if (/Unknown order|does not exist|-2011|-2013/.test(msg)) return 'order_not_found';
  return 'unknown';
}

export function mapCcxtError(err: unknown, ccxt: CcxtModule): ExchangeError {
  if (err instanceof ExchangeError) return err;
  const msg = messageOf(err);
  const opt = { cause: err };
  const retryable = (reason: ExchangeErrorReason) => new ExchangeError('retryable', reason, msg, retryAfterOf(err), opt);
  const rejected = (reason: ExchangeErrorReason) => new ExchangeError('rejected', reason, msg, undefined, opt);
  if (!(err instanceof ccxt.BaseError)) return new ExchangeError('bad_response', 'bad_response', msg, undefined, opt);
  // OperationFailed family: temporary.
  if (err instanceof ccxt.RequestTimeout) return retryable('timeout');
  if (err instanceof ccxt.DDoSProtection || err instanceof ccxt.RateLimitExceeded) return retryable('rate_limit');
  if (err instanceof ccxt.OnMaintenance) return retryable('maintenance');
  if (err instanceof ccxt.InvalidNonce) return retryable('clock_skew');
  if (err instanceof ccxt.ExchangeNotAvailable) return retryable(/maintenance/i.test(msg) ? 'maintenance' : 'server_error');
  if (err instanceof ccxt.NetworkError) return retryable('network');
  if (err instanceof ccxt.BadResponse) return new ExchangeError('bad_response', 'bad_response', msg, undefined, opt);
  if (err instanceof ccxt.OperationFailed) return retryable('server_error');
  // ExchangeError family: final.
  if (err instanceof ccxt.AuthenticationError) return new ExchangeError('auth', 'authentication', msg, undefined, opt);
  if (err instanceof ccxt.InsufficientFunds) return rejected('insufficient_funds');
  if (err instanceof ccxt.OrderNotFound) return rejected('order_not_found');
  if (err instanceof ccxt.OrderImmediatelyFillable) return rejected('post_only_would_take');
  if (err instanceof ccxt.DuplicateOrderId) return rejected('duplicate_client_order_id');
  if (err instanceof ccxt.BadSymbol) return rejected('unknown_symbol');
  return rejected(rejectedReason(msg));
}

/**
 * For a failed WRITE: did the exchange certainly not act on it? Rate limits and clock-skew
 * rejections happen before processing, and a refused connection never delivered the request.
 * Everything else retryable (timeouts, resets, 5xx, garbled answers) leaves the outcome unknown.
 */
export function certainlyNotProcessed(err: ExchangeError): boolean {
  if (err.kind === 'rejected' || err.kind === 'auth') return true;
  if (err.reason === 'rate_limit' || err.reason === 'clock_skew') return true;
  return err.reason === 'network' && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(err.message);
}
