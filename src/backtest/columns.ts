/** Candle columns: slicing by time, aggregating to a coarser timeframe, finding gaps. */
import type { CandleColumns } from '../exchange/market-data/csv.js';

export function emptyColumns(n: number): CandleColumns {
  return {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    length: 0,
  };
}

/** First index with time >= t. */
export function indexAt(cols: CandleColumns, t: number): number {
  let lo = 0;
  let hi = cols.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cols.time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The candles with open time in [from, to) aggregated to `tfMs` (groups aligned to the epoch). */
export function sliceAggregate(cols: CandleColumns, baseMs: number, tfMs: number, from: number, to: number): CandleColumns {
  const a = indexAt(cols, from);
  const b = indexAt(cols, to);
  if (tfMs === baseMs) {
    return {
      time: cols.time.slice(a, b),
      open: cols.open.slice(a, b),
      high: cols.high.slice(a, b),
      low: cols.low.slice(a, b),
      close: cols.close.slice(a, b),
      volume: cols.volume.slice(a, b),
      length: b - a,
    };
  }
  const out = emptyColumns(Math.ceil(((b - a) * baseMs) / tfMs) + 1);
  let n = 0;
  let i = a;
  while (i < b) {
    const start = Math.floor(cols.time[i]! / tfMs) * tfMs;
    let high = cols.high[i]!;
    let low = cols.low[i]!;
    let vol = cols.volume[i]!;
    const open = cols.open[i]!;
    let close = cols.close[i]!;
    i++;
    while (i < b && cols.time[i]! < start + tfMs) {
      if (cols.high[i]! > high) high = cols.high[i]!;
      if (cols.low[i]! < low) low = cols.low[i]!;
      close = cols.close[i]!;
      vol += cols.volume[i]!;
      i++;
    }
    out.time[n] = start;
    out.open[n] = open;
    out.high[n] = high;
    out.low[n] = low;
    out.close[n] = close;
    out.volume[n] = Number(vol.toFixed(8));
    n++;
  }
  out.length = n;
  return out;
}

export interface Gap {
  /** First missing candle's open time. */
  from: number;
  /** Open time of the candle after the gap. */
  to: number;
  missing: number;
}

export interface GapReport {
  count: number;
  missing: number;
  /** The largest gaps, at most `keep`, in time order. */
  largest: Gap[];
}

/** Missing candles inside [from, to): between candles, and before the first / after the last. */
export function findGaps(cols: CandleColumns, tfMs: number, from: number, to: number, keep = 5): GapReport {
  const gaps: Gap[] = [];
  let prev = from - tfMs;
  for (let i = 0; i <= cols.length; i++) {
    const t = i < cols.length ? cols.time[i]! : to;
    if (t - prev > tfMs) {
      const g = { from: prev + tfMs, to: t, missing: Math.round((t - prev) / tfMs) - 1 };
      if (g.missing > 0) gaps.push(g);
    }
    prev = t;
  }
  const missing = gaps.reduce((s, g) => s + g.missing, 0);
  const largest = [...gaps].sort((x, y) => y.missing - x.missing || x.from - y.from).slice(0, keep).sort((x, y) => x.from - y.from);
  return { count: gaps.length, missing, largest };
}

/** The columns' buffers, for a zero-copy transfer to a worker. */
export function transferList(cols: CandleColumns): ArrayBuffer[] {
  return [cols.time, cols.open, cols.high, cols.low, cols.close, cols.volume].map((a) => a.buffer as ArrayBuffer);
}
