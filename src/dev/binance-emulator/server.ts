/**
 * A loopback HTTP server speaking enough of Binance's spot REST API for the live adapter (real
 * ccxt runs against it): exchangeInfo, time, ticker/24hr, klines, account, order (POST/GET/DELETE),
 * openOrders, myTrades. It checks the API key header and the HMAC-SHA256 signature and the
 * recvWindow, enforces the filters, keeps order and balance state, and injects faults.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { systemClock, type Clock } from '../../lib/clock.js';
import { snapshotExchangeInfo } from '../../exchange/markets/snapshot.js';
import type { Candle, Timeframe } from '../../exchange/types.js';
import { fromUnits } from './decimal.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { cancelJson, klineJson, newOrderJson, orderJson, tradeJson } from './format.js';
import { marketsOf } from './markets.js';
import { BinanceApiError, EmulatorState } from './state.js';

export interface BinanceEmulatorOptions {
  apiKey: string;
  apiSecret: string;
  /** Default 0 (any free port). */
  port?: number;
  /** exchangeInfo to serve; default the repo's markets snapshot. */
  exchangeInfo?: { symbols: unknown[] } & Record<string, unknown>;
  /** Starting balances; default { USDT: 10000 }. */
  balances?: Record<string, number | string>;
  makerFee?: number;
  takerFee?: number;
  /** Partial fills: share of a candle's volume that can fill per candle; null (default) = no cap. */
  volumeShare?: number | null;
  clock?: Clock;
  /** The server clock runs this far ahead of `clock` (clock-skew tests). */
  clockSkewMs?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  at: number;
  fault: string | null;
  status: number | null;
}

export interface BinanceEmulator {
  /** Base address to give the adapter (EXCHANGE_API_URL), e.g. http://127.0.0.1:34567. */
  readonly url: string;
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  readonly requests: RequestRecord[];
  setClockSkew(ms: number): void;
  /** Candle history served by /api/v3/klines. */
  loadCandles(symbol: string, timeframe: Timeframe, candles: readonly Candle[]): void;
  close(): Promise<void>;
}

type Handler = (p: Record<string, string>) => unknown;

export async function startBinanceEmulator(opts: BinanceEmulatorOptions): Promise<BinanceEmulator> {
  const clock = opts.clock ?? systemClock;
  let skew = opts.clockSkewMs ?? 0;
  const serverNow = () => clock.now() + skew;
  const info = opts.exchangeInfo ?? snapshotExchangeInfo();
  const state = new EmulatorState({
    markets: marketsOf(info as never),
    balances: opts.balances ?? { USDT: 10_000 },
    makerFee: opts.makerFee ?? 0.001,
    takerFee: opts.takerFee ?? 0.001,
    volumeShare: opts.volumeShare ?? null,
    now: serverNow,
  });
  const faults = new FaultInjector();
  const requests: RequestRecord[] = [];
  const klines = new Map<string, Candle[]>();
  const sockets = new Set<Socket>();
  let cancelSeq = 0;

  const publicRoutes: Record<string, Handler> = {
    'GET /api/v3/ping': () => ({}),
    'GET /api/v3/time': () => ({ serverTime: serverNow() }),
    'GET /api/v3/exchangeInfo': () => ({ ...info, serverTime: serverNow() }),
    'GET /api/v3/ticker/24hr': (p) => ticker(p.symbol),
    'GET /api/v3/klines': (p) => klinesOf(p),
  };
  const signedRoutes: Record<string, Handler> = {
    'GET /api/v3/account': () => ({
      makerCommission: 10,
      takerCommission: 10,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: serverNow(),
      accountType: 'SPOT',
      balances: state.balanceList(),
      permissions: ['SPOT'],
      uid: 1,
    }),
    'POST /api/v3/order': (p) => {
      const { order, fills } = state.placeOrder(p);
      return newOrderJson(order, fills, p.newOrderRespType);
    },
    'GET /api/v3/order': (p) => orderJson(state.findOrder(p)),
    'DELETE /api/v3/order': (p) => cancelJson(state.cancelOrder(p), p.newClientOrderId ?? `emucancel${++cancelSeq}`),
    'GET /api/v3/openOrders': (p) => state.openOrders(p.symbol).map(orderJson),
    'GET /api/v3/myTrades': (p) => state.myTrades(p).map(tradeJson),
  };

  function ticker(symbol: string | undefined): unknown {
    const m = state.market(symbol);
    const last = fromUnits(state.price(m.id) ?? 0n);
    const now = serverNow();
    return {
      symbol: m.id,
      priceChange: '0.00000000',
      priceChangePercent: '0.000',
      weightedAvgPrice: last,
      prevClosePrice: last,
      lastPrice: last,
      lastQty: '0.00000000',
      bidPrice: last,
      bidQty: '1.00000000',
      askPrice: last,
      askQty: '1.00000000',
      openPrice: last,
      highPrice: last,
      lowPrice: last,
      volume: '0.00000000',
      quoteVolume: '0.00000000',
      openTime: now - 86_400_000,
      closeTime: now,
      firstId: 0,
      lastId: 0,
      count: 0,
    };
  }

  function klinesOf(p: Record<string, string>): unknown {
    const m = state.market(p.symbol);
    const tf = p.interval as Timeframe;
    const all = klines.get(`${m.id}:${tf}`) ?? [];
    const limit = Math.min(Number(p.limit ?? 500), 1000);
    const start = p.startTime === undefined ? -Infinity : Number(p.startTime);
    const end = p.endTime === undefined ? Infinity : Number(p.endTime);
    const sel = all.filter((c) => c.time >= start && c.time <= end);
    return (p.startTime === undefined ? sel.slice(-limit) : sel.slice(0, limit)).map((c) => klineJson(c, tf));
  }

  function verify(req: IncomingMessage, query: string, body: string, params: Record<string, string>): void {
    if (req.headers['x-mbx-apikey'] !== opts.apiKey) throw new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const total = query + body;
    const m = /^(.*)&signature=([0-9a-fA-F]+)$/.exec(total);
    const expected = m ? createHmac('sha256', opts.apiSecret).update(m[1]!).digest() : null;
    const given = m ? Buffer.from(m[2]!, 'hex') : null;
    if (!expected || !given || given.length !== expected.length || !timingSafeEqual(expected, given)) {
      throw new BinanceApiError(400, -1022, 'Signature for this request is not valid.');
    }
    const ts = Number(params.timestamp);
    const recvWindow = Number(params.recvWindow ?? 5000);
    if (!Number.isFinite(recvWindow) || recvWindow <= 0 || recvWindow > 60_000) throw new BinanceApiError(400, -1131, 'recvWindow must be less than 60000');
    const now = serverNow();
    if (!Number.isFinite(ts) || ts >= now + 1000 || now - ts > recvWindow) {
      throw new BinanceApiError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    }
  }

  function handle(req: IncomingMessage, query: string, body: string): { status: number; json: unknown } {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = `${req.method} ${url.pathname}`;
    const params: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    try {
      const pub = publicRoutes[key];
      if (pub) return { status: 200, json: pub(params) };
      const signed = signedRoutes[key];
      if (!signed) return { status: 404, json: { code: -1, msg: `no route ${key}` } };
      verify(req, query, body, params);
      return { status: 200, json: signed(params) };
    } catch (err) {
      if (err instanceof BinanceApiError) return { status: err.status, json: { code: err.code, msg: err.message } };
      return { status: 500, json: { code: -1000, msg: `An unknown error occurred while processing the request. (${String(err)})` } };
    }
  }

  function respond(res: ServerResponse, rec: RequestRecord, status: number, body: string, headers: Record<string, string> = {}): void {
    rec.status = status;
    if (res.destroyed || res.socket?.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
    res.end(body);
  }

  function applyFault(f: FaultRule, req: IncomingMessage, res: ServerResponse, rec: RequestRecord): void {
    switch (f.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return; // the client gives up; close() destroys the socket
      case 'non_json':
        respond(res, rec, 200, '<html><body><h1>502 Bad Gateway</h1>cloudfront</body></html>', { 'Content-Type': 'text/html' });
        return;
      case 'http': {
        const headers: Record<string, string> = {};
        if (f.retryAfterSec !== undefined) headers['Retry-After'] = String(f.retryAfterSec);
        const body = f.code !== undefined ? JSON.stringify({ code: f.code, msg: f.msg ?? 'injected' }) : `<html><body>${f.status}</body></html>`;
        if (f.code === undefined) headers['Content-Type'] = 'text/html';
        respond(res, rec, f.status, body, headers);
        return;
      }
      case 'delay':
        return;
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = req.url ?? '/';
      const qi = raw.indexOf('?');
      const path = qi < 0 ? raw : raw.slice(0, qi);
      const query = qi < 0 ? '' : raw.slice(qi + 1);
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      const rec: RequestRecord = { method, path, at: clock.now(), fault: null, status: null };
      requests.push(rec);
      const fault = faults.take(method, path, clock.now());
      const run = () => handle(req, query, body);
      if (!fault) {
        const r = run();
        respond(res, rec, r.status, JSON.stringify(r.json));
        return;
      }
      rec.fault = fault.kind === 'http' ? `http${fault.status}` : fault.kind;
      if (fault.kind === 'delay') {
        setTimeout(() => {
          const r = run();
          respond(res, rec, r.status, JSON.stringify(r.json));
        }, fault.ms).unref();
        return;
      }
      if (fault.processed) run();
      applyFault(fault, req, res, rec);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('emulator: no TCP address');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    state,
    faults,
    requests,
    setClockSkew: (ms) => {
      skew = ms;
    },
    loadCandles: (symbol, timeframe, candles) => {
      const m = state.market(symbol);
      klines.set(`${m.id}:${timeframe}`, [...candles].sort((a, b) => a.time - b.time));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
