/**
 * Backtest periods and timeframes: `7d`, `30d`, `12h`, `2w`, `3mo`, `1y` (the span ending at the
 * end of the data), `2022-01-01..2022-03-01` or from=/to= dates (UTC, end exclusive); and the
 * candle size a period gets unless overridden.
 */
import { TIMEFRAME_MS, type Timeframe } from '../exchange/types.js';

export const DAY_MS = 86_400_000;

export type PeriodSpec =
  /** The `ms` ending at the end of the available data (or now, for live data). */
  | { kind: 'last'; ms: number; text: string }
  /** [from, to) in Unix ms UTC. */
  | { kind: 'range'; from: number; to: number; text: string };

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS, mo: 30 * DAY_MS, y: 365 * DAY_MS };
const LAST_RE = /^(\d{1,4})(h|d|w|mo|y)$/i;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?$/;

/** Longest period a backtest may cover. */
export const MAX_PERIOD_MS = 10 * 365 * DAY_MS;

/** Parses a UTC date (2022-01-01 or 2022-01-01T12:00Z); NaN when invalid. */
export function parseDate(text: string): number {
  if (!DATE_RE.test(text)) return NaN;
  const iso = text.length === 10 ? `${text}T00:00:00Z` : text.endsWith('Z') ? text : `${text}Z`;
  return Date.parse(iso);
}

/** A period word (`30d`, `1y`, `2022-01-01..2022-02-01`), or null when the word is not one. */
export function parsePeriodWord(word: string): PeriodSpec | string | null {
  const m = LAST_RE.exec(word);
  if (m) {
    const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
    if (!(ms > 0)) return `the period ${word} is empty; use e.g. 7d, 30d, 90d or 1y`;
    if (ms > MAX_PERIOD_MS) return `the period ${word} is longer than 10 years`;
    return { kind: 'last', ms, text: word.toLowerCase() };
  }
  const r = /^(.+?)(?:\.\.)(.+)$/.exec(word);
  if (r) return rangeOf(r[1]!, r[2]!);
  if (DATE_RE.test(word)) return `give the period as a span (30d) or a range like ${word}..${word.slice(0, 4)}-12-31`;
  return null;
}

/** A from/to pair of dates (to exclusive); a sentence when invalid. */
export function rangeOf(fromText: string, toText: string): PeriodSpec | string {
  const from = parseDate(fromText);
  const to = parseDate(toText);
  if (!Number.isFinite(from)) return `"${fromText}" is not a date; write it as 2022-01-01`;
  if (!Number.isFinite(to)) return `"${toText}" is not a date; write it as 2022-01-01`;
  if (to <= from) return `the period ends (${toText}) before it starts (${fromText})`;
  if (to - from > MAX_PERIOD_MS) return 'the period is longer than 10 years';
  return { kind: 'range', from, to, text: `${fromText}..${toText}` };
}

export const TIMEFRAMES = Object.keys(TIMEFRAME_MS) as Timeframe[];

export function isTimeframe(s: string): s is Timeframe {
  return Object.prototype.hasOwnProperty.call(TIMEFRAME_MS, s);
}

/**
 * The candle size for a span: fine enough to be honest about the path inside a candle, coarse
 * enough that fetching it over the network stays reasonable (local files are aggregated to it).
 */
export function defaultTimeframe(spanMs: number): Timeframe {
  if (spanMs <= 35 * DAY_MS) return '1m';
  if (spanMs <= 100 * DAY_MS) return '5m';
  if (spanMs <= 400 * DAY_MS) return '15m';
  return '1h';
}

/** Equity sample interval: hourly up to ~400 days, else daily (both divide a day). */
export function sampleInterval(spanMs: number, tf: Timeframe): number {
  const want = spanMs <= 400 * DAY_MS ? 3_600_000 : DAY_MS;
  return Math.max(want, TIMEFRAME_MS[tf] <= DAY_MS ? TIMEFRAME_MS[tf] : DAY_MS);
}

/** Can candles of `to` be built from candles of `from`? */
export function aggregates(from: Timeframe, to: Timeframe): boolean {
  const a = TIMEFRAME_MS[from];
  const b = TIMEFRAME_MS[to];
  return b >= a && b % a === 0;
}

/** 2022-12-01 (or 2022-12-01 14:00 when not midnight). */
export function formatDay(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** A span as 30d / 12h / 1y 5d. */
export function formatSpan(ms: number): string {
  const days = ms / DAY_MS;
  if (days >= 365 && Number.isInteger(days)) {
    const y = Math.floor(days / 365);
    const d = days % 365;
    return d === 0 ? `${y}y` : `${y}y ${d}d`;
  }
  if (days >= 1) return `${Math.round(days * 10) / 10}d`;
  return `${Math.round(ms / 3_600_000)}h`;
}
