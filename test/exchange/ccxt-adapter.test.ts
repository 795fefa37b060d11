/** The live adapter against the Binance emulator: settlement of unknown outcomes, retries, traps. */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeError } from '../../src/exchange/types.js';
import { API_KEY, API_SECRET, startLive, type LiveHarness } from './support/harness.js';

const BTC = 'BTC/USDT';
const FAST_WRITES = { timeoutMs: 150, recvWindowMs: 300, settleMarginMs: 30 };

let h: LiveHarness | undefined;
async function live(extra: Parameters<typeof startLive>[2] = {}, emu: Parameters<typeof startLive>[1] = {}): Promise<LiveHarness> {
  h = await startLive({ balances: { USDT: 100_000, BTC: 10 } }, emu, { ...FAST_WRITES, ...extra });
  await h.price(BTC, 30_000);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ordersWith = (h: LiveHarness, cid: string) => h.emulator.state.allOrders().filter((o) => o.clientOrderId === cid);
const limitBuy = (cid: string) => ({ clientOrderId: cid, symbol: BTC, side: 'buy' as const, type: 'limit' as const, amount: 0.001, price: 29_000 });
const postsOf = (h: LiveHarness) => h.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order');

describe('live adapter: writes with unknown outcomes', () => {
  it('settles "order accepted but the response lost" by client order id, without resending', async () => {
    const h = await live();
    h.emulator.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'reset', processed: true });
    const o = await h.adapter.createOrder(limitBuy('lost-1'));
    expect(o).toMatchObject({ clientOrderId: 'lost-1', status: 'open', amount: 0.001 });
    expect(ordersWith(h, 'lost-1')).toHaveLength(1);
    expect(postsOf(h)).toHaveLength(1);
    expect(h.events.filter((e) => e.type === 'unknown_outcome' || e.type === 'settled').map((e) => e.type)).toEqual(['unknown_outcome', 'settled']);
    expect(h.events.find((e) => e.type === 'settled')).toMatchObject({ found: true });
  });

  it('resends only after proving the order absent once its recvWindow has passed', async () => {
    const h = await live();
    h.emulator.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'reset', processed: false });
    const t = Date.now();
    const o = await h.adapter.createOrder(limitBuy('absent-1'));
    expect(o.status).toBe('open');
    expect(ordersWith(h, 'absent-1')).toHaveLength(1);
    expect(postsOf(h)).toHaveLength(2);
    expect(Date.now() - t).toBeGreaterThanOrEqual(300); // waited out the recvWindow before resending
    expect(h.events.find((e) => e.type === 'settled')).toMatchObject({ found: false });
    expect(h.events.some((e) => e.type === 'resend')).toBe(true);
  });

  it('finds an order the exchange processed after the client had timed out', async () => {
    const h = await live({ recvWindowMs: 900 });
    h.emulator.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'delay', ms: 400 });
    const o = await h.adapter.createOrder(limitBuy('late-1'));
    expect(o.clientOrderId).toBe('late-1');
    expect(ordersWith(h, 'late-1')).toHaveLength(1);
    expect(postsOf(h)).toHaveLength(1);
    const settled = h.events.find((e) => e.type === 'settled');
    expect(settled).toMatchObject({ found: true });
    expect((settled as { lookups: number }).lookups).toBeGreaterThanOrEqual(2); // first lookup came before the processing
  });

  it('treats 5xx, garbled answers and hangs on an order as unknown and settles each', async () => {
    const h = await live();
    const kinds = [
      { kind: 'http', status: 500, code: -1000, msg: 'An unknown error occurred while processing the request.', processed: true },
      { kind: 'http', status: 503, processed: false },
      { kind: 'non_json', processed: true },
      { kind: 'hang', processed: true },
      { kind: 'hang', processed: false },
    ] as const;
    for (const [i, k] of kinds.entries()) {
      h.emulator.faults.add({ method: 'POST', path: '/api/v3/order', ...k });
      const o = await h.adapter.createOrder(limitBuy(`u-${i}`));
      expect(o.clientOrderId).toBe(`u-${i}`);
      expect(ordersWith(h, `u-${i}`)).toHaveLength(1);
    }
    expect(h.events.filter((e) => e.type === 'unknown_outcome')).toHaveLength(kinds.length);
    expect(h.events.filter((e) => e.type === 'settled')).toHaveLength(kinds.length);
  });

  it('retries a rate-limited order after Retry-After without a lookup (429 means not processed)', async () => {
    const h = await live();
    h.emulator.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'http', status: 429, code: -1003, msg: 'Too much request weight used', retryAfterSec: 0.08 });
    await h.adapter.createOrder(limitBuy('rl-1'));
    const posts = postsOf(h);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(78);
    expect(h.events.some((e) => e.type === 'unknown_outcome')).toBe(false);
    expect(h.events.find((e) => e.type === 'retry')).toMatchObject({ reason: 'rate_limit', retryAfterMs: 80 });
  });

  it('gives up with a retryable error, never an order, when every send is refused', async () => {
    const h = await live({ writeAttempts: 2 });
    h.emulator.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'reset', times: 2 });
    const err = await h.adapter.createOrder(limitBuy('gone-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeError);
    expect((err as ExchangeError).kind).toBe('retryable');
    expect((err as ExchangeError).message).toMatch(/not placed/);
    expect(ordersWith(h, 'gone-1')).toHaveLength(0);
  });

  it('reports unknown_outcome when the lookups fail too', async () => {
    const h = await live({ backoff: { attempts: 2, baseMs: 5, maxMs: 10, maxRetryAfterMs: 100 } });
    h.emulator.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'reset', processed: true }, { method: 'GET', path: '/api/v3/order', kind: 'http', status: 502, times: 5 });
    const err = await h.adapter.createOrder(limitBuy('dark-1')).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(h.events.some((e) => e.type === 'unsettled')).toBe(true);
    h.emulator.faults.clear();
    expect(await h.adapter.fetchOrder(BTC, 'dark-1')).toMatchObject({ status: 'open' }); // reconciliation can settle it later
  });

  it('settles a cancel whose answer was lost', async () => {
    const h = await live();
    await h.adapter.createOrder(limitBuy('cx-1'));
    h.emulator.faults.add({ method: 'DELETE', path: '/api/v3/order', kind: 'reset', processed: true });
    expect(await h.adapter.cancelOrder(BTC, 'cx-1')).toMatchObject({ status: 'canceled' });
    h.emulator.faults.add({ method: 'DELETE', path: '/api/v3/order', kind: 'reset', processed: false });
    await h.adapter.createOrder(limitBuy('cx-2'));
    expect(await h.adapter.cancelOrder(BTC, 'cx-2')).toMatchObject({ status: 'canceled' });
    expect(h.emulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(3); // the unprocessed cancel was sent again
  });
});

describe('live adapter: reads, clock and markets', () => {
  it('retries reads with back-off on 5xx, garbled bodies and timeouts', async () => {
    const h = await live();
    h.emulator.faults.add(
      { path: '/api/v3/account', kind: 'http', status: 503 },
      { path: '/api/v3/account', kind: 'non_json' },
      { path: '/api/v3/account', kind: 'hang' },
      { path: '/api/v3/account', kind: 'http', status: 418, code: -1003, msg: 'IP banned', retryAfterSec: 0.05 },
    );
    const b = await h.adapter.fetchBalance();
    expect(b.USDT?.free).toBe(100_000);
    const retries = h.events.filter((e) => e.type === 'retry');
    expect(retries.map((e) => (e as { reason: string }).reason)).toEqual(['server_error', 'bad_response', 'timeout', 'rate_limit']);
    const acc = h.emulator.requests.filter((r) => r.path === '/api/v3/account');
    expect(acc).toHaveLength(5);
    expect(acc[4]!.at - acc[3]!.at).toBeGreaterThanOrEqual(48);
  });

  it('resyncs its clock after a timestamp rejection', async () => {
    const h = await live();
    await h.adapter.fetchBalance();
    h.emulator.setClockSkew(5_000);
    const b = await h.adapter.fetchBalance();
    expect(b.USDT?.free).toBe(100_000);
    expect(h.events.some((e) => e.type === 'resync')).toBe(true);
    expect(h.emulator.requests.some((r) => r.path === '/api/v3/time')).toBe(true);
    await h.adapter.createOrder(limitBuy('skew-1'));
    expect(ordersWith(h, 'skew-1')).toHaveLength(1);
  });

  it('forces a market reload after a failed load (ccxt caches the failure)', async () => {
    const h = await live({ backoff: { attempts: 2, baseMs: 5, maxMs: 10, maxRetryAfterMs: 100 } });
    await h.adapter.close();
    h.emulator.faults.add({ path: '/api/v3/exchangeInfo', kind: 'http', status: 503, times: 2 });
    const err = await h.adapter.loadMarkets(true).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'retryable' });
    const t = await h.adapter.fetchTicker(BTC);
    expect(t.last).toBe(30_000);
    expect(h.events.some((e) => e.type === 'reload_markets')).toBe(true);
  });

  it('refuses a bad key without retrying, and never shows the keys', async () => {
    const h = await live({}, { apiSecret: 'a-different-secret' });
    const err = await h.adapter.fetchBalance().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'auth', reason: 'authentication' });
    expect(h.emulator.requests.filter((r) => r.path === '/api/v3/account')).toHaveLength(1);
    const shown = [String(err), inspect(err, { depth: 10 }), inspect(h.adapter, { depth: 10 }), JSON.stringify(h.adapter), String(h.adapter)].join('\n');
    expect(shown).not.toContain(API_SECRET);
    expect(shown).not.toContain(API_KEY);
  });

  it('checks precision and minimum value before sending anything', async () => {
    const h = await live();
    const err = await h.adapter.createOrder({ ...limitBuy('pre-1'), amount: 0.0001 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected', reason: 'below_minimum' });
    expect(postsOf(h)).toHaveLength(0);
  });
});
