/**
 * Engine throughput: events per second through engine.onEvent on a year of real BTC 1m candles
 * (2022), with a lean paper fill simulation (market orders fill at the last close; limit orders when
 * a candle trades through them; maker/taker fees 0.1 %). Every candle is fed (quiet candles take
 * the wake-range fast path); fills and order updates count as events too.
 * Measures: engine.grid, engine.dca, engine.hybrid, engine.trend.
 */
import { dcaSchema } from '../src/engines/dca/config.js';
import { createDcaEngine } from '../src/engines/dca/engine.js';
import { gridSchema } from '../src/engines/grid/config.js';
import { createGridEngine } from '../src/engines/grid/engine.js';
import { hybridSchema } from '../src/engines/hybrid/config.js';
import { createHybridEngine } from '../src/engines/hybrid/engine.js';
import { trendSchema } from '../src/engines/trend/config.js';
import { createTrendEngine } from '../src/engines/trend/engine.js';
import type { Engine, EngineEvent, EngineOutput } from '../src/engines/types.js';
import { readCandleColumns, type CandleColumns } from '../src/exchange/market-data/csv.js';
import type { MarketRules } from '../src/exchange/types.js';
import type { Benchmark, BenchResult } from './types.js';

const FILE = '/work/shared/data/binance_BTCUSDT_1m_2022-01-01_2023-01-01.csv.gz';
const RULES: MarketRules = { symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, stepSize: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 };

let data: Promise<CandleColumns> | null = null;
const candles = (): Promise<CandleColumns> => (data ??= readCandleColumns(FILE));

interface SimOrder {
  seq: number;
  side: 'buy' | 'sell';
  price: number;
  amount: number;
}

/** Minimal paper exchange: enough to keep the engines trading, cheap enough not to dominate. */
class LeanSim {
  events = 0;
  fills = 0;
  private readonly resting: SimOrder[] = [];
  private readonly queue: EngineEvent[] = [];
  private last = 0;
  private trade = 0;

  constructor(private readonly engine: Engine) {}

  /** One reusable candle event (engines never keep a reference to an event). */
  private readonly ev = { type: 'candle' as const, time: 0, open: 0, high: 0, low: 0, close: 0 };

  private drain(now: number): void {
    for (let i = 0; i < this.queue.length; i++) {
      this.events++;
      this.handle(this.engine.onEvent(this.queue[i]!, now), now);
    }
    this.queue.length = 0;
  }

  private fill(seq: number, side: 'buy' | 'sell', price: number, amount: number, now: number): void {
    this.fills++;
    const fee = side === 'buy' ? amount * RULES.takerFee : amount * price * RULES.takerFee;
    this.queue.push({ type: 'fill', tradeId: String(++this.trade), seq, side, price, amount, fee, feeCurrency: side === 'buy' ? 'BTC' : 'USDT', time: now });
    this.queue.push({ type: 'order', seq, status: 'filled', filled: amount });
  }

  private handle(out: EngineOutput, now: number): void {
    if (out.intents.length === 0) return;
    for (const it of out.intents) {
      if (it.kind === 'cancel') {
        const i = this.resting.findIndex((o) => o.seq === it.seq);
        if (i >= 0) this.resting.splice(i, 1);
        this.queue.push({ type: 'order', seq: it.seq, status: 'canceled', filled: 0 });
      } else if (it.type === 'market' || (it.side === 'buy' ? it.price! >= this.last : it.price! <= this.last)) {
        this.fill(it.seq, it.side, it.type === 'market' ? this.last : it.price!, it.amount, now);
      } else {
        this.resting.push({ seq: it.seq, side: it.side, price: it.price!, amount: it.amount });
        this.queue.push({ type: 'order', seq: it.seq, status: 'open', filled: 0 });
      }
    }
  }

  candle(time: number, open: number, high: number, low: number, close: number): void {
    const now = time + 60_000;
    const w = this.engine.wake();
    // The wake range covers every resting order: inside it, nothing can fill.
    if (!(low > w.below && high < w.above)) {
      for (let i = 0; i < this.resting.length; ) {
        const o = this.resting[i]!;
        if (o.side === 'buy' ? low < o.price : high > o.price) {
          this.resting.splice(i, 1);
          this.fill(o.seq, o.side, o.side === 'buy' ? Math.min(open, o.price) : Math.max(open, o.price), o.amount, now);
        } else i++;
      }
    }
    this.drain(now);
    this.last = close;
    const ev = this.ev;
    ev.time = time;
    ev.open = open;
    ev.high = high;
    ev.low = low;
    ev.close = close;
    this.events++;
    this.handle(this.engine.onEvent(ev, now), now);
    this.drain(now);
  }
}

function run(make: () => Engine, c: CandleColumns, n: number): { seconds: number; events: number; fills: number } {
  const sim = new LeanSim(make());
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sim.candle(c.time[i]!, c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!);
  return { seconds: (performance.now() - t0) / 1000, events: sim.events, fills: sim.fills };
}

function bench(name: string, make: () => Engine): Benchmark {
  return {
    names: [name],
    async run(): Promise<BenchResult[]> {
      const c = await candles();
      run(make, c, Math.min(50_000, c.length)); // warm-up
      // Best of five full-year runs (the machine may be shared); the median is reported too.
      const runs = [0, 1, 2, 3, 4].map(() => run(make, c, c.length)).sort((a, b) => a.seconds - b.seconds);
      const best = runs[0]!;
      const median = runs[2]!;
      return [{
        bench: name, value: Math.round(best.events / best.seconds), unit: 'events/s', median: Math.round(median.events / median.seconds),
        candles: c.length, events: best.events, fills: best.fills, seconds: Number(best.seconds.toFixed(3)), data: 'BTCUSDT 1m 2022',
      }];
    },
  };
}

const grid = gridSchema.parse({ lower: 15000, upper: 50000, lines: 100, spacing: 'geometric', investment: 10000 });
const dca = dcaSchema.parse({ base_order: 100, safety_order: 100, max_safety_orders: 5, active_safety_orders: 2, deviation: 1.5, step_scale: 1.3, volume_scale: 1.5, take_profit: 1.5, stop_loss: 25 });
const hybrid = hybridSchema.parse({ lower: 30000, upper: 48000, lines: 60, spacing: 'geometric', investment: 10000, acc_orders: 6, acc_deviation: 4 });
const trend = trendSchema.parse({ investment: 1000, timeframe: '1m' });

const benchmarks: Benchmark[] = [
  bench('engine.grid', () => createGridEngine(grid, RULES)),
  bench('engine.dca', () => createDcaEngine(dca, RULES)),
  bench('engine.hybrid', () => createHybridEngine(hybrid, RULES)),
  bench('engine.trend', () => createTrendEngine(trend, RULES)),
];

export default benchmarks;
