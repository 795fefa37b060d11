/**
 * Candles held in memory (columns), served as a market-data source at the time of a clock: only
 * candles that have closed by `clock.now()` are visible. The CSV replay builds on it.
 */
import type { Clock } from '../../lib/clock.js';
import { ExchangeError, TIMEFRAME_MS, type Candle, type Ticker, type Timeframe } from '../types.js';
import { candleAt, type CandleColumns } from './csv.js';
import type { MarketDataKind, MarketDataSource } from './source.js';

export interface CandleSeries {
  timeframe: Timeframe;
  columns: CandleColumns;
}

/** Columns from candle objects (tests, small sets). */
export function columnsOf(candles: readonly Candle[]): CandleColumns {
  const n = candles.length;
  const cols: CandleColumns = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    length: n,
  };
  candles.forEach((c, i) => {
    cols.time[i] = c.time;
    cols.open[i] = c.open;
    cols.high[i] = c.high;
    cols.low[i] = c.low;
    cols.close[i] = c.close;
    cols.volume[i] = c.volume;
  });
  return cols;
}

/** First index with time >= t. */
export function lowerBound(times: Float64Array, length: number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Closed candles of `series` aggregated to `timeframe`, open time in [since, until), closed by `now`. */
export function sliceCandles(series: CandleSeries, timeframe: Timeframe, since: number, until: number, now: number): Candle[] {
  const baseMs = TIMEFRAME_MS[series.timeframe];
  const tfMs = TIMEFRAME_MS[timeframe];
  if (tfMs < baseMs || tfMs % baseMs !== 0) {
    throw new ExchangeError('rejected', 'unknown', `candles of ${timeframe} cannot be made from ${series.timeframe} data`);
  }
  const cols = series.columns;
  const end = Math.min(until, Math.floor(now / tfMs) * tfMs); // groups that open before `end` have closed by now
  const out: Candle[] = [];
  let i = lowerBound(cols.time, cols.length, Math.ceil(since / tfMs) * tfMs);
  while (i < cols.length && cols.time[i]! < end) {
    const start = Math.floor(cols.time[i]! / tfMs) * tfMs;
    const c = candleAt(cols, i);
    const agg: Candle = { ...c, time: start };
    i++;
    while (i < cols.length && cols.time[i]! < start + tfMs) {
      agg.high = Math.max(agg.high, cols.high[i]!);
      agg.low = Math.min(agg.low, cols.low[i]!);
      agg.close = cols.close[i]!;
      agg.volume += cols.volume[i]!;
      i++;
    }
    if (tfMs !== baseMs) agg.volume = Number(agg.volume.toFixed(8));
    out.push(agg);
  }
  return out;
}

/** The price known at `now`: the open of the candle in progress, else the last close. */
export function tickerAt(symbol: string, series: CandleSeries, now: number): Ticker | null {
  const cols = series.columns;
  const baseMs = TIMEFRAME_MS[series.timeframe];
  const i = lowerBound(cols.time, cols.length, now + 1) - 1; // last candle opened at or before now
  if (i < 0) return null;
  const closedBy = cols.time[i]! + baseMs;
  const price = closedBy <= now ? cols.close[i]! : cols.open[i]!;
  const timestamp = closedBy <= now ? closedBy : cols.time[i]!;
  return { symbol, bid: price, ask: price, last: price, timestamp };
}

export class MemoryCandleSource implements MarketDataSource {
  readonly kind: MarketDataKind;
  readonly description: string;

  constructor(
    private readonly series: Map<string, CandleSeries>,
    readonly clock: Clock,
    opts: { kind?: MarketDataKind; description?: string } = {},
  ) {
    this.kind = opts.kind ?? 'memory';
    this.description = opts.description ?? `candles in memory (${[...series.keys()].join(', ')})`;
  }

  /** A source of candle arrays per symbol. */
  static of(candles: Record<string, { timeframe: Timeframe; candles: readonly Candle[] }>, clock: Clock): MemoryCandleSource {
    const m = new Map<string, CandleSeries>();
    for (const [s, v] of Object.entries(candles)) m.set(s, { timeframe: v.timeframe, columns: columnsOf(v.candles) });
    return new MemoryCandleSource(m, clock);
  }

  protected async seriesOf(symbol: string): Promise<CandleSeries | null> {
    return Promise.resolve(this.series.get(symbol) ?? null);
  }

  baseTimeframe(symbol: string): Timeframe | null {
    return this.series.get(symbol)?.timeframe ?? null;
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    const s = await this.seriesOf(symbol);
    const t = s ? tickerAt(symbol, s, this.clock.now()) : null;
    if (!t) throw new ExchangeError('retryable', 'server_error', `${symbol}: no candle data at ${new Date(this.clock.now()).toISOString()}`);
    return t;
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]> {
    const s = await this.seriesOf(symbol);
    if (!s) throw new ExchangeError('rejected', 'unknown_symbol', `${symbol}: no candle data in ${this.description}`);
    return sliceCandles(s, timeframe, since, until, this.clock.now());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
