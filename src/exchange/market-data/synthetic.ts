/**
 * A seeded synthetic price series (1m candles, a random walk with intra-candle wicks) for the demo
 * when there is neither MARKET_DATA_DIR nor network. Deterministic for a given seed and origin.
 * Results on these prices are not market results; `description` says so.
 */
import type { Clock } from '../../lib/clock.js';
import { TIMEFRAME_MS, type Candle, type Ticker, type Timeframe } from '../types.js';
import { sliceCandles, tickerAt, type CandleSeries } from './memory.js';
import type { MarketDataSource } from './source.js';
import type { CandleColumns } from './csv.js';

const START_PRICES: Record<string, number> = {
  BTC: 60_000,
  ETH: 3_000,
  SOL: 150,
  BNB: 600,
  XRP: 0.6,
  LUNA: 80,
};

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function roundPrice(p: number): number {
  const d = p >= 1000 ? 2 : p >= 10 ? 3 : p >= 1 ? 4 : 6;
  return Number(p.toFixed(d));
}

export interface SyntheticOptions {
  clock: Clock;
  seed?: number;
  /** Time of the first candle. Default: 30 days before the start of today (UTC) by `clock`. */
  origin?: number;
  /** Per-minute volatility (standard deviation of log returns). Default 0.0008. */
  volatility?: number;
}

const MINUTE = TIMEFRAME_MS['1m'];

export class SyntheticSource implements MarketDataSource {
  readonly kind = 'synthetic' as const;
  readonly description: string;
  readonly clock: Clock;
  private readonly seed: number;
  private readonly origin: number;
  private readonly vol: number;
  private readonly series = new Map<string, { cols: CandleColumns; rand: () => number; gauss: () => number }>();

  constructor(opts: SyntheticOptions) {
    this.clock = opts.clock;
    this.seed = opts.seed ?? 42;
    this.origin = opts.origin ?? Math.floor(opts.clock.now() / TIMEFRAME_MS['1d']) * TIMEFRAME_MS['1d'] - 30 * TIMEFRAME_MS['1d'];
    this.vol = opts.volatility ?? 0.0008;
    this.description = `synthetic prices (seeded random walk, seed ${this.seed}): not market data, results are illustrative only`;
  }

  baseTimeframe(): Timeframe {
    return '1m';
  }

  /** The series up to the current minute, extended as the clock moves. */
  private seriesOf(symbol: string): CandleSeries {
    let s = this.series.get(symbol);
    if (!s) {
      const rand = mulberry32(this.seed ^ hashString(symbol));
      const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      s = { cols: grow(null, 0), rand, gauss };
      this.series.set(symbol, s);
    }
    const needed = Math.floor((this.clock.now() - this.origin) / MINUTE) + 1;
    if (needed > s.cols.length) {
      const base = START_PRICES[symbol.split('/')[0] ?? ''] ?? 100;
      s.cols = grow(s.cols, needed);
      for (let i = s.cols.length; i < needed; i++) {
        const open = i === 0 ? base : s.cols.close[i - 1]!;
        const close = roundPrice(open * Math.exp(this.vol * s.gauss()));
        const wick = this.vol * 0.6;
        s.cols.time[i] = this.origin + i * MINUTE;
        s.cols.open[i] = open;
        s.cols.close[i] = close;
        s.cols.high[i] = roundPrice(Math.max(open, close) * (1 + wick * Math.abs(s.gauss())));
        s.cols.low[i] = roundPrice(Math.min(open, close) * (1 - wick * Math.abs(s.gauss())));
        s.cols.volume[i] = Number(((1_000_000 / base) * (0.2 + s.rand())).toFixed(4));
      }
      s.cols.length = needed;
    }
    return { timeframe: '1m', columns: s.cols };
  }

  fetchTicker(symbol: string): Promise<Ticker> {
    const t = tickerAt(symbol, this.seriesOf(symbol), this.clock.now());
    return Promise.resolve(t ?? { symbol, bid: 0, ask: 0, last: 0, timestamp: this.clock.now() });
  }

  fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]> {
    return Promise.resolve(sliceCandles(this.seriesOf(symbol), timeframe, since, until, this.clock.now()));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Columns with room for at least `n` rows, keeping the existing ones. */
function grow(cols: CandleColumns | null, n: number): CandleColumns {
  const cap = Math.max(1024, n * 2);
  if (cols && cols.time.length >= n) return cols;
  const next: CandleColumns = {
    time: new Float64Array(cap),
    open: new Float64Array(cap),
    high: new Float64Array(cap),
    low: new Float64Array(cap),
    close: new Float64Array(cap),
    volume: new Float64Array(cap),
    length: cols?.length ?? 0,
  };
  if (cols) for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) next[k].set(cols[k].subarray(0, cols.length));
  return next;
}
