/**
 * Exchange benchmarks.
 * - paper.match: orders matched per second by the paper exchange (resting limits filled by candles,
 *   state persisted to the in-memory store after each candle as in normal use).
 * - adapter.call: milliseconds per live-adapter call (real ccxt: sign, send, parse, validate)
 *   against the loopback Binance emulator, with p50/p99 and the raw HTTP round trip for comparison.
 */
import { createHmac } from 'node:crypto';
import { startBinanceEmulator } from '../src/dev/binance-emulator/server.js';
import { CcxtExchange } from '../src/exchange/ccxt/adapter.js';
import { RequestBudget } from '../src/exchange/ccxt/request-budget.js';
import { ApiCredentials } from '../src/exchange/credentials.js';
import { snapshotMarkets } from '../src/exchange/markets/snapshot.js';
import { matchCandle, type RestingOrder } from '../src/exchange/paper/matching.js';
import { PaperExchange } from '../src/exchange/paper/paper-exchange.js';
import { ManualClock, systemClock } from '../src/lib/clock.js';
import type { Benchmark, BenchResult } from './types.js';

const BTC = 'BTC/USDT';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (x: number, d = 3) => Number(x.toFixed(d));

async function paperMatch(): Promise<BenchResult[]> {
  const clock = new ManualClock(1_700_000_040_000);
  const paper = await PaperExchange.open({ markets: snapshotMarkets(), clock, initialBalances: { USDT: 1e9, BTC: 1e5 }, slippage: 0 });
  await paper.onTicker({ symbol: BTC, bid: 30_000, ask: 30_000, last: 30_000, timestamp: clock.now() });
  const rounds = 10;
  const perSide = 1_000;
  let matched = 0;
  let matchMs = 0;
  let placeMs = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    // Many bots placing at once: their saves coalesce.
    await Promise.all(
      Array.from({ length: perSide }, (_, i) => [
        paper.createOrder({ clientOrderId: `b${r}-${i}`, symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_000 + i * 0.5 }),
        paper.createOrder({ clientOrderId: `s${r}-${i}`, symbol: BTC, side: 'sell', type: 'limit', amount: 0.001, price: 30_500 + i * 0.5 }),
      ]).flat(),
    );
    placeMs += performance.now() - t0;
    clock.advance(60_000);
    const t1 = performance.now();
    matched += await paper.onCandle(BTC, { time: clock.now(), open: 30_000, high: 32_000, low: 28_000, close: 30_000, volume: 1e6 });
    matchMs += performance.now() - t1;
  }
  await paper.close();
  if (matched !== rounds * perSide * 2) throw new Error(`paper.match: expected ${rounds * perSide * 2} fills, got ${matched}`);

  // The pure matching rules alone (what a backtest pays per candle).
  const resting: RestingOrder[] = Array.from({ length: 2_000 }, (_, i) => ({ id: String(i), side: i % 2 ? 'sell' : 'buy', price: i % 2 ? 30_500 + i : 29_500 - i, remaining: 1 }));
  const t2 = performance.now();
  let pure = 0;
  for (let k = 0; k < 100; k++) pure += matchCandle(resting, { time: 0, open: 30_000, high: 33_000, low: 27_000, close: 30_000, volume: 0 }, { tickSize: 0.01, stepSize: 0.001 }).length;
  const pureMs = performance.now() - t2;
  return [
    {
      bench: 'paper.match',
      value: Math.round(matched / (matchMs / 1000)),
      unit: 'orders/s',
      orders: matched,
      candles: rounds,
      match_ms: round(matchMs, 1),
      placed_per_s: Math.round((rounds * perSide * 2) / (placeMs / 1000)),
      pure_match_per_s: Math.round(pure / (pureMs / 1000)),
    },
  ];
}

async function adapterCall(): Promise<BenchResult[]> {
  const key = 'bench-key-0123456789abcdef';
  const secret = 'bench-secret-0123456789abcdef';
  const emu = await startBinanceEmulator({ apiKey: key, apiSecret: secret });
  emu.state.setPrice('BTCUSDT', 30_000);
  const adapter = new CcxtExchange({
    apiUrl: emu.url,
    credentials: ApiCredentials.of(key, secret),
    clock: systemClock,
    random: Math.random,
    budget: new RequestBudget({ capacity: 1e9, refillPerSecond: 1e9, clock: systemClock, sleep: () => Promise.resolve() }),
  });
  try {
    await adapter.createOrder({ clientOrderId: 'bench-1', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_000 });
    for (let i = 0; i < 50; i++) await adapter.fetchOrder(BTC, 'bench-1'); // warm-up (JIT, keep-alive)
    const n = 500;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await adapter.fetchOrder(BTC, 'bench-1');
      times.push(performance.now() - t);
    }
    const raw: number[] = [];
    for (let i = 0; i < n; i++) {
      const q = new URLSearchParams({ symbol: 'BTCUSDT', origClientOrderId: 'bench-1', timestamp: String(Date.now()), recvWindow: '5000' });
      q.set('signature', createHmac('sha256', secret).update(q.toString()).digest('hex'));
      const t = performance.now();
      const res = await fetch(`${emu.url}/api/v3/order?${q.toString()}`, { headers: { 'X-MBX-APIKEY': key } });
      await res.json();
      raw.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    raw.sort((a, b) => a - b);
    const mean = times.reduce((s, x) => s + x, 0) / n;
    return [
      {
        bench: 'adapter.call',
        value: round(mean),
        unit: 'ms',
        call: 'fetchOrder by client order id (signed GET /api/v3/order)',
        calls: n,
        p50: round(percentile(times, 50)),
        p99: round(percentile(times, 99)),
        raw_http_p50: round(percentile(raw, 50)),
        overhead_p50: round(percentile(times, 50) - percentile(raw, 50)),
      },
    ];
  } finally {
    await adapter.close();
    await emu.close();
  }
}

const benchmarks: Benchmark[] = [
  { names: ['paper.match'], run: paperMatch },
  { names: ['adapter.call'], run: adapterCall },
];
export default benchmarks;
