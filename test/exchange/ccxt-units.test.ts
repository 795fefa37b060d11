/** Pieces of the live adapter that need no server: error mapping, back-off, budget, URLs, keys. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { backoffBounds, backoffDelay, DEFAULT_BACKOFF } from '../../src/exchange/ccxt/backoff.js';
import { loadCcxt, overrideApiUrls, parseRetryAfter, type CcxtModule } from '../../src/exchange/ccxt/client.js';
import { certainlyNotProcessed, mapCcxtError } from '../../src/exchange/ccxt/errors.js';
import { RequestBudget, sharedRequestBudget } from '../../src/exchange/ccxt/request-budget.js';
import { ApiCredentials } from '../../src/exchange/credentials.js';
import { ExchangeError } from '../../src/exchange/types.js';
import { ManualClock } from '../../src/lib/clock.js';

let ccxt: CcxtModule;
beforeAll(async () => {
  ccxt = await loadCcxt();
});

describe('ccxt error mapping (the note\'s table)', () => {
  it('maps each ccxt class to a kind and reason', () => {
    const m = (e: unknown) => {
      const x = mapCcxtError(e, ccxt);
      return `${x.kind}/${x.reason}`;
    };
    expect(m(new ccxt.NetworkError('binance GET https://x/api/v3/account?timestamp=1&signature=abc fetch failed'))).toBe('retryable/network');
    expect(m(new ccxt.RequestTimeout('t'))).toBe('retryable/timeout');
    expect(m(new ccxt.DDoSProtection('429'))).toBe('retryable/rate_limit');
    expect(m(new ccxt.RateLimitExceeded('-1003'))).toBe('retryable/rate_limit');
    expect(m(new ccxt.ExchangeNotAvailable('502'))).toBe('retryable/server_error');
    expect(m(new ccxt.OnMaintenance('m'))).toBe('retryable/maintenance');
    expect(m(new ccxt.OperationFailed('-1000'))).toBe('retryable/server_error');
    expect(m(new ccxt.InvalidNonce('-1021'))).toBe('retryable/clock_skew');
    expect(m(new ccxt.AuthenticationError('-1022'))).toBe('auth/authentication');
    expect(m(new ccxt.PermissionDenied('p'))).toBe('auth/authentication');
    expect(m(new ccxt.InsufficientFunds('i'))).toBe('rejected/insufficient_funds');
    expect(m(new ccxt.InvalidOrder('binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}'))).toBe('rejected/invalid_amount');
    expect(m(new ccxt.InvalidOrder('binance {"code":-1013,"msg":"Filter failure: PRICE_FILTER"}'))).toBe('rejected/invalid_price');
    expect(m(new ccxt.BadRequest('binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}'))).toBe('rejected/below_minimum');
    expect(m(new ccxt.OrderImmediatelyFillable('o'))).toBe('rejected/post_only_would_take');
    expect(m(new ccxt.OrderNotFound('-2013'))).toBe('rejected/order_not_found');
    expect(m(new ccxt.BadSymbol('-1121'))).toBe('rejected/unknown_symbol');
    expect(m(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'))).toBe('rejected/duplicate_client_order_id');
    expect(m(new TypeError("Cannot read properties of undefined (reading 'map')"))).toBe('bad_response/bad_response');
    expect(m(new ccxt.BadResponse('b'))).toBe('bad_response/bad_response');
    expect(mapCcxtError(new ccxt.NetworkError('GET https://x/a?timestamp=1&signature=abc failed'), ccxt).message).not.toContain('signature');
  });

  it('tells writes that certainly did not happen from unknown outcomes', () => {
    const e = (kind: ExchangeError['kind'], reason: ExchangeError['reason'], msg = 'x') => new ExchangeError(kind, reason, msg);
    expect(certainlyNotProcessed(e('retryable', 'rate_limit'))).toBe(true);
    expect(certainlyNotProcessed(e('retryable', 'clock_skew'))).toBe(true);
    expect(certainlyNotProcessed(e('retryable', 'network', 'connect ECONNREFUSED 127.0.0.1:1'))).toBe(true);
    expect(certainlyNotProcessed(e('retryable', 'network', 'other side closed'))).toBe(false);
    expect(certainlyNotProcessed(e('retryable', 'timeout'))).toBe(false);
    expect(certainlyNotProcessed(e('retryable', 'server_error'))).toBe(false);
    expect(certainlyNotProcessed(e('bad_response', 'bad_response'))).toBe(false);
  });
});

describe('back-off and request budget', () => {
  it('jitters within [exp/2, exp], caps at maxMs, and never undercuts Retry-After', () => {
    const p = { ...DEFAULT_BACKOFF, baseMs: 100, maxMs: 1_000 };
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(1, p, () => 0.999999)).toBe(100);
    expect(backoffDelay(3, p, () => 0.5)).toBe(300);
    expect(backoffDelay(10, p, () => 0.999999)).toBe(1_000);
    expect(backoffDelay(1, p, () => 0, 2_000)).toBe(2_000);
    for (let a = 1; a < 8; a++) {
      const b = backoffBounds(a, p);
      for (const r of [0, 0.3, 0.99]) {
        const d = backoffDelay(a, p, () => r);
        expect(d >= b.min && d <= b.max).toBe(true);
      }
    }
  });

  it('reads Retry-After in seconds (fractions too) or as a date', () => {
    expect(parseRetryAfter('2', 0)).toBe(2_000);
    expect(parseRetryAfter('0.05', 0)).toBe(50);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it('spends weight at the refill rate, queues callers, and pauses everyone after a ban', async () => {
    const clock = new ManualClock(0);
    const slept: number[] = [];
    const sleep = (ms: number) => {
      slept.push(ms);
      clock.advance(ms);
      return Promise.resolve();
    };
    const b = new RequestBudget({ capacity: 10, refillPerSecond: 10, clock, sleep, maxWaitMs: 5_000 });
    await b.take(10);
    expect(slept).toEqual([]);
    await b.take(5); // 5 short: half a second
    expect(slept).toEqual([500]);
    b.pause(2_000);
    await b.take(1);
    expect(slept[1]).toBe(2_000);
    b.pause(10_000);
    await expect(b.take(1)).rejects.toMatchObject({ kind: 'retryable', reason: 'rate_limit' });
  });

  it('is shared by every adapter of one account', () => {
    const make = () => new RequestBudget({ capacity: 1, refillPerSecond: 1, clock: new ManualClock(0), sleep: () => Promise.resolve() });
    expect(sharedRequestBudget('binance|acct-a', make)).toBe(sharedRequestBudget('binance|acct-a', make));
    expect(sharedRequestBudget('binance|acct-a', make)).not.toBe(sharedRequestBudget('binance|acct-b', make));
  });
});

describe('client setup', () => {
  it('replaces the REST base address of every endpoint, keeping the paths', () => {
    expect(overrideApiUrls({ public: 'https://api.binance.com/api/v3', sapi: 'https://api.binance.com/sapi/v1', n: { x: 'https://fapi.binance.com/fapi/v1' } }, 'http://127.0.0.1:9999')).toEqual({
      public: 'http://127.0.0.1:9999/api/v3',
      sapi: 'http://127.0.0.1:9999/sapi/v1',
      n: { x: 'http://127.0.0.1:9999/fapi/v1' },
    });
  });

  it('keeps API keys out of strings, JSON and inspect output', () => {
    const c = ApiCredentials.of('my-api-key-123456', 'my-secret-abcdef');
    const shown = [String(c), `${c}`, JSON.stringify({ c }), inspect({ nested: { c } }, { depth: 10 }), inspect(c.secret), JSON.stringify(c.apiKey), c.fingerprint()].join(' ');
    expect(shown).not.toContain('my-api-key-123456');
    expect(shown).not.toContain('my-secret-abcdef');
    expect(c.secret.reveal()).toBe('my-secret-abcdef');
    expect(ApiCredentials.fromEnv({ EXCHANGE_API_KEY: 'k', EXCHANGE_API_SECRET: '' })).toBeNull();
  });
});

describe('ccxt stays out of the way', () => {
  it('is imported (at run time) by one module only, lazily', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(d, e.name));
      }
    };
    walk('src');
    const runtime = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return /^\s*import\s+(?!type\b)[^;]*from\s+'ccxt'/m.test(text) || /import\(\s*'ccxt'\s*\)/.test(text) || /require\('ccxt'\)/.test(text);
    });
    expect(runtime.map((f) => f.replaceAll('\\', '/'))).toEqual(['src/exchange/ccxt/client.ts']);
    expect(readFileSync('src/exchange/ccxt/client.ts', 'utf8')).not.toMatch(/^import\s+(?!type\b).*'ccxt'/m);
  });
});
