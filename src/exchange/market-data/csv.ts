import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Candle, Timeframe } from '../types.js';

/** Columns of a candle file: time (open time, Unix ms UTC), open, high, low, close, volume. */
export interface CandleColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  length: number;
}

export class CandleFileError extends Error {
  override readonly name = 'CandleFileError';
}

/** What a file name like `binance_BTCUSDT_1m_2022-01-01_2023-01-01.csv.gz` says. */
export interface CandleFileName {
  exchange: string;
  /** Exchange-native pair id, e.g. 'BTCUSDT'. */
  pair: string;
  timeframe: Timeframe;
  from: string;
  to: string;
}

const NAME_RE = /^([a-z0-9]+)_([A-Z0-9]+)_(1m|5m|15m|1h|4h|1d)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.csv(\.gz)?$/;

export function parseCandleFileName(path: string): CandleFileName | null {
  const m = NAME_RE.exec(basename(path));
  if (!m) return null;
  return { exchange: m[1]!, pair: m[2]!, timeframe: m[3] as Timeframe, from: m[4]!, to: m[5]! };
}

/** Reads a candle CSV (optionally gzipped) into columns. Validates header, order and OHLC sanity. */
export async function readCandleColumns(path: string): Promise<CandleColumns> {
  let buf = await readFile(path);
  if (path.endsWith('.gz')) buf = gunzipSync(buf);
  return parseCandleCsv(buf.toString('utf8'), path);
}

export function parseCandleCsv(text: string, source = 'candle data'): CandleColumns {
  const firstNl = text.indexOf('\n');
  const header = (firstNl < 0 ? text : text.slice(0, firstNl)).trim();
  if (header !== 'time,open,high,low,close,volume') {
    throw new CandleFileError(`${source}: the header must be "time,open,high,low,close,volume", found "${header.slice(0, 60)}"`);
  }
  // Count lines to size the arrays once.
  let lines = 0;
  for (let i = firstNl + 1; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  if (text.length > 0 && text.charCodeAt(text.length - 1) !== 10) lines++;
  const cols: CandleColumns = {
    time: new Float64Array(lines),
    open: new Float64Array(lines),
    high: new Float64Array(lines),
    low: new Float64Array(lines),
    close: new Float64Array(lines),
    volume: new Float64Array(lines),
    length: 0,
  };
  let pos = firstNl + 1;
  let n = 0;
  let lineNo = 1;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(pos, end).trim();
    pos = end + 1;
    if (line === '') continue;
    const parts = line.split(',');
    if (parts.length !== 6) throw new CandleFileError(`${source}: line ${lineNo} has ${parts.length} fields, expected 6`);
    const t = Number(parts[0]);
    const o = Number(parts[1]);
    const h = Number(parts[2]);
    const l = Number(parts[3]);
    const c = Number(parts[4]);
    const v = Number(parts[5]);
    if (![t, o, h, l, c, v].every(Number.isFinite)) throw new CandleFileError(`${source}: line ${lineNo} has a value that is not a number`);
    if (n > 0 && t <= cols.time[n - 1]!) throw new CandleFileError(`${source}: line ${lineNo} is not after the previous candle (times must ascend)`);
    if (l > Math.min(o, c) || h < Math.max(o, c) || l <= 0 || v < 0) {
      throw new CandleFileError(`${source}: line ${lineNo} is not a valid candle (need 0 < low <= open,close <= high and volume >= 0)`);
    }
    cols.time[n] = t;
    cols.open[n] = o;
    cols.high[n] = h;
    cols.low[n] = l;
    cols.close[n] = c;
    cols.volume[n] = v;
    n++;
  }
  cols.length = n;
  return cols;
}

export function candleAt(cols: CandleColumns, i: number): Candle {
  return {
    time: cols.time[i]!,
    open: cols.open[i]!,
    high: cols.high[i]!,
    low: cols.low[i]!,
    close: cols.close[i]!,
    volume: cols.volume[i]!,
  };
}

/** Rows as objects (convenient for small sets; use columns for large ones). */
export function toCandles(cols: CandleColumns, from = 0, to = cols.length): Candle[] {
  const out: Candle[] = [];
  for (let i = from; i < to; i++) out.push(candleAt(cols, i));
  return out;
}
