/** The Binance emulator over raw HTTP (no ccxt): auth, recvWindow, filters, state and faults. */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBinanceEmulator, type BinanceEmulator } from '../../../src/dev/binance-emulator/server.js';

const KEY = 'test-key-0123456789';
const SECRET = 'test-secret-0123456789';
let emu: BinanceEmulator;

beforeAll(async () => {
  emu = await startBinanceEmulator({ apiKey: KEY, apiSecret: SECRET, balances: { USDT: 1_000, BTC: '0.5' } });
  emu.state.setPrice('BTCUSDT', 30_000);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.faults.clear());

interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

async function call(method: string, path: string, params: Record<string, string | number> = {}, opts: { signed?: boolean; key?: string; secret?: string; timestamp?: number } = {}): Promise<Answer> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  if (opts.signed !== false && !path.includes('exchangeInfo') && !path.includes('ticker') && !path.includes('klines')) {
    q.set('timestamp', String(opts.timestamp ?? Date.now()));
    q.set('recvWindow', '5000');
    q.set('signature', createHmac('sha256', opts.secret ?? SECRET).update(q.toString()).digest('hex'));
  }
  const headers: Record<string, string> = { 'X-MBX-APIKEY': opts.key ?? KEY };
  const init: RequestInit = { method, headers };
  let url = `${emu.url}${path}`;
  if (method === 'POST') {
    init.body = q.toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if ([...q].length > 0) url += `?${q.toString()}`;
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text, headers: res.headers };
}

const order = (p: Record<string, string | number>) => call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', ...p });

describe('Binance emulator', () => {
  it('serves the markets snapshot and public data', async () => {
    const info = await call('GET', '/api/v3/exchangeInfo');
    const btc = (info.body as { symbols: { symbol: string; filters: { filterType: string; tickSize?: string }[] }[] }).symbols.find((s) => s.symbol === 'BTCUSDT');
    expect(btc?.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize).toBe('0.01000000');
    const t = await call('GET', '/api/v3/ticker/24hr', { symbol: 'BTCUSDT' });
    expect(t.body).toMatchObject({ symbol: 'BTCUSDT', lastPrice: '30000.00000000' });
    expect((await call('GET', '/api/v3/ticker/24hr', { symbol: 'NOPEUSDT' })).body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('checks the API key, the HMAC signature and the recvWindow', async () => {
    expect((await call('GET', '/api/v3/account', {}, { key: 'wrong' })).body).toMatchObject({ code: -2015 });
    expect((await call('GET', '/api/v3/account', {}, { secret: 'wrong' })).body).toMatchObject({ code: -1022 });
    expect((await call('GET', '/api/v3/account', {}, { timestamp: Date.now() - 10_000 })).body).toMatchObject({ code: -1021 });
    expect((await call('GET', '/api/v3/account', {}, { timestamp: Date.now() + 5_000 })).body).toMatchObject({ code: -1021 });
    const ok = await call('GET', '/api/v3/account');
    expect(ok.status).toBe(200);
    expect((ok.body as { balances: unknown[] }).balances).toContainEqual({ asset: 'BTC', free: '0.50000000', locked: '0.00000000' });
  });

  it('enforces LOT_SIZE, PRICE_FILTER, NOTIONAL and precision with Binance error codes', async () => {
    expect((await order({ quantity: '0.000015', price: '30000' })).body).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    expect((await order({ quantity: '0.001', price: '30000.001' })).body).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect((await order({ quantity: '0.0001', price: '30000' })).body).toEqual({ code: -1013, msg: 'Filter failure: NOTIONAL' });
    expect((await order({ quantity: '0.000000001', price: '30000' })).body).toMatchObject({ code: -1111 });
    expect((await order({ quantity: '1', price: '30000' })).body).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });
    expect(emu.state.allOrders()).toHaveLength(0);
  });

  it('keeps orders, locks balances, fills on price moves, and answers like Binance', async () => {
    const placed = await order({ quantity: '0.001', price: '29000', newClientOrderId: 'e-1', newOrderRespType: 'FULL' });
    expect(placed.body).toMatchObject({ clientOrderId: 'e-1', status: 'NEW', origQty: '0.00100000', price: '29000.00000000', fills: [] });
    expect((await order({ quantity: '0.001', price: '29000', newClientOrderId: 'e-1' })).body).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    const acc = (await call('GET', '/api/v3/account')).body as { balances: { asset: string; free: string; locked: string }[] };
    expect(acc.balances.find((b) => b.asset === 'USDT')).toEqual({ asset: 'USDT', free: '971.00000000', locked: '29.00000000' });
    emu.state.setPrice('BTCUSDT', 28_999.99);
    const got = await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'e-1' });
    expect(got.body).toMatchObject({ status: 'FILLED', executedQty: '0.00100000', cummulativeQuoteQty: '29.00000000' });
    const trades = (await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', startTime: Date.now() - 60_000 })).body as Record<string, unknown>[];
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ price: '29000.00000000', qty: '0.00100000', commission: '0.00000100', commissionAsset: 'BTC', isBuyer: true, isMaker: true });
    expect((await call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'e-1' })).body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    expect((await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'nope' })).body).toEqual({ code: -2013, msg: 'Order does not exist.' });
    expect((await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', startTime: 0, endTime: 100_000_000 })).body).toMatchObject({ code: -1127 });
    emu.state.setPrice('BTCUSDT', 30_000);
  });

  it('injects faults by endpoint and count: status with Retry-After, non-JSON, reset, and lost responses', async () => {
    emu.faults.add({ method: 'GET', path: '/api/v3/account', kind: 'http', status: 429, code: -1003, msg: 'Too much request weight used', retryAfterSec: 2 });
    const limited = await call('GET', '/api/v3/account');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await call('GET', '/api/v3/account')).status).toBe(200);

    emu.faults.add({ path: '/api/v3/ticker/24hr', kind: 'non_json' });
    const html = await call('GET', '/api/v3/ticker/24hr', { symbol: 'BTCUSDT' });
    expect(html.status).toBe(200);
    expect(html.body).toBeNull();

    emu.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'reset', processed: true });
    await expect(order({ quantity: '0.001', price: '28000', newClientOrderId: 'lost-1' })).rejects.toThrow();
    expect(emu.state.allOrders().filter((o) => o.clientOrderId === 'lost-1')).toHaveLength(1); // accepted, answer lost

    emu.faults.add({ method: 'POST', path: '/api/v3/order', kind: 'reset' });
    await expect(order({ quantity: '0.001', price: '28000', newClientOrderId: 'lost-2' })).rejects.toThrow();
    expect(emu.state.allOrders().filter((o) => o.clientOrderId === 'lost-2')).toHaveLength(0);
    expect(emu.faults.counts()).toMatchObject({ http429: 1, non_json: 1, 'reset+processed': 1, reset: 1 });
  });

  it('caps fills by candle volume when configured', async () => {
    const e2 = await startBinanceEmulator({ apiKey: KEY, apiSecret: SECRET, volumeShare: 0.5 });
    try {
      e2.state.setPrice('BTCUSDT', 30_000);
      e2.state.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '29000', newClientOrderId: 'cap' });
      e2.state.applyCandle('BTCUSDT', { time: 0, open: 30_000, high: 30_100, low: 28_000, close: 29_500, volume: 0.008 });
      expect(e2.state.allOrders()[0]).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: 400_000n });
    } finally {
      await e2.close();
    }
  });
});
