/**
 * Incremental EMA and ATR, O(1) per candle, with their state as plain JSON (for snapshots).
 *
 * technicalindicators (a maintained library) is the reference: these reproduce its EMA (seeded
 * with the SMA of the first `period` values, then (x - prev) * 2/(period+1) + prev) and its ATR
 * (true range from the second candle on, Wilder-smoothed: seeded with the SMA of the first
 * `period` true ranges, then (tr - prev) * (1/period) + prev) operation for operation, so results
 * are bit-identical; test/engines/indicators.test.ts proves it on real candles. The library
 * itself is too slow to call once per candle in a backtest (it re-runs generators and allocates),
 * hence this incremental form.
 */

export interface EmaState {
  period: number;
  /** Values seen, capped at `period`. */
  n: number;
  sum: number;
  /** Current EMA; 0 until `ready`. */
  value: number;
  ready: boolean;
}

export function emaInit(period: number): EmaState {
  return { period, n: 0, sum: 0, value: 0, ready: false };
}

/** Feeds one value; returns the EMA, or NaN while warming up. */
export function emaNext(s: EmaState, x: number): number {
  if (s.ready) {
    s.value = (x - s.value) * (2 / (s.period + 1)) + s.value;
    return s.value;
  }
  s.sum += x;
  s.n++;
  if (s.n < s.period) return NaN;
  s.value = s.sum / s.period;
  s.ready = true;
  return s.value;
}

export interface AtrState {
  period: number;
  /** True ranges seen, capped at `period`. */
  n: number;
  sum: number;
  value: number;
  ready: boolean;
  /** Previous close; 0 before the first candle. */
  prevClose: number;
}

export function atrInit(period: number): AtrState {
  return { period, n: 0, sum: 0, value: 0, ready: false, prevClose: 0 };
}

/** Feeds one candle; returns the ATR, or NaN while warming up. */
export function atrNext(s: AtrState, high: number, low: number, close: number): number {
  if (s.prevClose === 0) {
    s.prevClose = close;
    return NaN;
  }
  const pc = s.prevClose;
  const tr = Math.max(high - low, Math.abs(high - pc), Math.abs(low - pc));
  s.prevClose = close;
  if (s.ready) {
    s.value = (tr - s.value) * (1 / s.period) + s.value;
    return s.value;
  }
  s.sum += tr;
  s.n++;
  if (s.n < s.period) return NaN;
  s.value = s.sum / s.period;
  s.ready = true;
  return s.value;
}
