/**
 * Candles from a MARKET_DATA_DIR: which file serves a request (pair, period, timeframe), and
 * loading its slice (aggregated to the timeframe asked for). Without live data, `30d` means the
 * 30 days ending at the end of the available data, and the result says so.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { parseCandleCsv, type CandleColumns } from '../exchange/market-data/csv.js';
import { indexCandleDir, type CandleFileEntry } from '../exchange/market-data/replay.js';
import { TIMEFRAME_MS, type Timeframe } from '../exchange/types.js';
import { sliceAggregate } from './columns.js';
import { aggregates, defaultTimeframe, formatDay, formatSpan, type PeriodSpec } from './period.js';

export interface FileChoice {
  path: string;
  file: string;
  /** Timeframe of the file. */
  baseTimeframe: Timeframe;
  /** Timeframe the backtest runs on. */
  timeframe: Timeframe;
  from: number;
  to: number;
  notes: string[];
}

export async function listCandleFiles(dir: string): Promise<CandleFileEntry[]> {
  try {
    return await indexCandleDir(dir);
  } catch {
    return [];
  }
}

/** Pairs a directory has, e.g. BTCUSDT. */
export function pairsOf(files: readonly CandleFileEntry[]): string[] {
  return [...new Set(files.map((f) => f.pair))].sort();
}

const gunzipAsync = promisify(gunzip);

const tfDistance = (f: CandleFileEntry, tf: Timeframe): number => TIMEFRAME_MS[tf] / TIMEFRAME_MS[f.timeframe];

/** Prefers files that can be aggregated to `tf`, the coarsest of them (least to read). */
function bestForTf(files: readonly CandleFileEntry[], tf: Timeframe): { f: CandleFileEntry; tf: Timeframe } | null {
  const usable = files.filter((f) => aggregates(f.timeframe, tf)).sort((a, b) => tfDistance(a, tf) - tfDistance(b, tf) || b.toMs - a.toMs);
  if (usable[0]) return { f: usable[0], tf };
  const finest = [...files].sort((a, b) => TIMEFRAME_MS[a.timeframe] - TIMEFRAME_MS[b.timeframe] || b.toMs - a.toMs)[0];
  return finest ? { f: finest, tf: finest.timeframe } : null;
}

/**
 * The file and window for a request; null when the directory has no file of the pair; a sentence
 * when it has some but none overlaps the period.
 * `fixedTf`: the engine needs exactly this timeframe (indicator engines).
 */
export function chooseCandleFile(files: readonly CandleFileEntry[], pair: string, period: PeriodSpec, tfWanted?: Timeframe): FileChoice | string | null {
  const mine = files.filter((f) => f.pair === pair);
  if (mine.length === 0) return null;
  const span = period.kind === 'last' ? period.ms : period.to - period.from;
  const tf = tfWanted ?? defaultTimeframe(span);
  const notes: string[] = [];
  let pick: { f: CandleFileEntry; tf: Timeframe } | null;
  let from: number;
  let to: number;
  if (period.kind === 'range') {
    const covering = mine.filter((f) => f.fromMs <= period.from && period.to <= f.toMs);
    pick = bestForTf(covering, tf);
    if (!pick) {
      const overlap = (f: CandleFileEntry): number => Math.min(f.toMs, period.to) - Math.max(f.fromMs, period.from);
      const best = [...mine].filter((f) => overlap(f) > 0).sort((a, b) => overlap(b) - overlap(a) || TIMEFRAME_MS[a.timeframe] - TIMEFRAME_MS[b.timeframe])[0];
      if (!best) return `there are no ${pair} candles for ${formatDay(period.from)}..${formatDay(period.to)} in the data folder (it has ${describeFiles(mine)})`;
      pick = bestForTf(mine.filter((f) => overlap(f) === overlap(best)), tf)!;
    }
    from = Math.max(period.from, pick.f.fromMs);
    to = Math.min(period.to, pick.f.toMs);
    if (from > period.from || to < period.to) notes.push(`the data covers only ${formatDay(from)}..${formatDay(to)} of the period asked for`);
  } else {
    const long = mine.filter((f) => f.toMs - f.fromMs >= span);
    const pool = long.length > 0 ? long : [...mine].sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs)).slice(0, 1);
    // The most recent data wins; an explicit tf= prefers files that can give that timeframe.
    const usable = tfWanted !== undefined ? pool.filter((f) => aggregates(f.timeframe, tf)) : [];
    const latest = Math.max(...(usable.length > 0 ? usable : pool).map((f) => f.toMs));
    pick = bestForTf(pool.filter((f) => f.toMs === latest), tf)!;
    to = pick.f.toMs;
    from = Math.max(to - span, pick.f.fromMs);
    notes.push(`${period.text} = ${formatDay(from)}..${formatDay(to)}: the ${formatSpan(to - from)} ending where the available data ends (no live data)`);
    if (to - from < span) notes.push(`the longest ${pair} file covers only ${formatSpan(to - from)}`);
  }
  if (pick.tf !== tf) notes.push(`only ${pick.f.timeframe} candles cover this period, so it runs on ${pick.tf} instead of ${tf}`);
  return { path: pick.f.path, file: basename(pick.f.path), baseTimeframe: pick.f.timeframe, timeframe: pick.tf, from, to, notes };
}

function describeFiles(files: readonly CandleFileEntry[]): string {
  return files.map((f) => `${f.timeframe} ${f.from}..${f.to}`).join(', ');
}

/**
 * The candles of a file with open time in [from, to): the file is decompressed, the lines of the
 * window found by binary search on their timestamps (rows are sorted), and only those parsed and
 * validated. A month out of a year of 1m candles costs a month of parsing.
 */
export async function readCandleWindow(path: string, from: number, to: number): Promise<CandleColumns> {
  let buf = await readFile(path);
  if (path.endsWith('.gz')) buf = await gunzipAsync(buf);
  const text = buf.toString('latin1');
  const bodyStart = text.indexOf('\n') + 1;
  if (bodyStart === 0) return parseCandleCsv(text, basename(path));
  const a = lineAtOrAfter(text, bodyStart, from);
  const b = lineAtOrAfter(text, a, to);
  return parseCandleCsv(text.slice(0, bodyStart) + text.slice(a, b), basename(path));
}

/** Offset of the first line (from `lo`) whose timestamp is >= t; text.length when none. */
function lineAtOrAfter(text: string, lo: number, t: number): number {
  let hi = text.length;
  // Invariant: every line starting before lo is < t; the answer is a line start in [lo, hi].
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const nl = text.lastIndexOf('\n', mid - 1);
    const start = Math.max(nl + 1, lo);
    const comma = text.indexOf(',', start);
    const lineTime = Number(text.slice(start, comma < 0 ? text.length : comma));
    if (start >= hi || !(lineTime < t)) hi = start;
    else {
      const next = text.indexOf('\n', start);
      lo = next < 0 ? text.length : next + 1;
    }
  }
  return lo;
}

/** The last window read (a sweep, or the same request again, reads the same candles). */
let lastRead: { key: string; cols: Promise<CandleColumns> } | null = null;

export async function loadFileSlice(choice: Pick<FileChoice, 'path' | 'baseTimeframe' | 'timeframe' | 'from' | 'to'>): Promise<CandleColumns> {
  const key = `${choice.path}|${choice.from}|${choice.to}`;
  if (lastRead?.key !== key) {
    const cols = readCandleWindow(choice.path, choice.from, choice.to);
    lastRead = { key, cols };
    cols.catch(() => {
      if (lastRead?.key === key) lastRead = null;
    });
  }
  const all = await lastRead.cols;
  return sliceAggregate(all, TIMEFRAME_MS[choice.baseTimeframe], TIMEFRAME_MS[choice.timeframe], choice.from, choice.to);
}
