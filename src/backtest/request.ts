/**
 * What a trader types, parsed the same way in chat and on the command line:
 *   <strategy> [symbol] <period> [key=value ...]
 * Reserved keys (not strategy settings): from, to (dates), tf (candle size), preset, pessimistic,
 * slippage (%), partial (% of a candle's volume that may fill; off by default).
 * For a sweep, a value may be a range `a..b:step` or a list `a,b,c`, and metric= picks the ranking.
 */
import type { Timeframe } from '../exchange/types.js';
import { isRankMetric, RANK_METRICS, type RankMetric } from './metrics.js';
import { isTimeframe, parsePeriodWord, rangeOf, type PeriodSpec } from './period.js';
import { splitKeyValues, type KeyValues } from '../lib/key-values.js';

export interface BacktestRequest {
  strategy: string;
  /** As typed (BTC/USDT, btcusdt); absent: the preset's market. */
  symbol?: string;
  period: PeriodSpec;
  timeframe?: Timeframe;
  preset?: string;
  /** Strategy settings as typed (strings; the engine's schema parses them). */
  settings: Record<string, string>;
  pessimistic?: boolean;
  /** Fraction (0.0005 = 0.05 %). */
  slippage?: number;
  /** Fraction of a candle's volume, or null for off. */
  partial?: number | null;
}

export interface SweepRange {
  key: string;
  values: number[];
}

export interface OptimizeRequest extends BacktestRequest {
  ranges: SweepRange[];
  metric: RankMetric;
}

export class RequestError extends Error {
  override readonly name: string = 'RequestError';
}

export const BACKTEST_USAGE = 'Usage: /backtest <strategy> [symbol] <period> [key=value ...], e.g. /backtest dca 30d or /backtest grid BTC/USDT 90d lines=30 lower=50000 upper=70000';
export const OPTIMIZE_USAGE = 'Usage: /optimize <strategy> [symbol] <period> key=a..b:step ... [metric=sharpe], e.g. /optimize grid BTC/USDT 90d lines=10..40:10 range_pct=5..15:5';

const RESERVED = new Set(['from', 'to', 'tf', 'preset', 'pessimistic', 'slippage', 'partial', 'metric']);
const YES = new Set(['yes', 'on', 'true', '1', 'y']);
const NO = new Set(['no', 'off', 'false', '0', 'n']);

function percent(key: string, v: string, max: number): number {
  const n = Number(v.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > max) throw new RequestError(`${key}=${v} must be a percentage from 0 to ${max}`);
  return n / 100;
}

/** Splits words into bare words and key=value pairs (keys lower case, each at most once). */
export function splitArgs(tokens: readonly string[]): KeyValues {
  return splitKeyValues(tokens, (sentence) => new RequestError(sentence));
}

export function parseBacktestArgs(tokens: readonly string[]): BacktestRequest {
  const { words, pairs } = splitArgs(tokens);
  const [strategy, ...rest] = words;
  if (strategy === undefined) throw new RequestError(BACKTEST_USAGE);
  let symbol: string | undefined;
  let period: PeriodSpec | undefined;
  for (const w of rest) {
    const p = parsePeriodWord(w);
    if (typeof p === 'string') throw new RequestError(p);
    if (p !== null) {
      if (period) throw new RequestError(`two periods given (${period.text} and ${w}); give one`);
      period = p;
    } else if (symbol === undefined && /^[A-Za-z0-9]{2,12}([/-][A-Za-z0-9]{2,12})?$/.test(w)) symbol = w;
    else throw new RequestError(`"${w.slice(0, 30)}" is neither a market nor a period. ${BACKTEST_USAGE}`);
  }
  if (pairs.from !== undefined || pairs.to !== undefined) {
    if (period) throw new RequestError('give either a period (30d) or from= and to= dates, not both');
    if (pairs.from === undefined || pairs.to === undefined) throw new RequestError('from= and to= go together, e.g. from=2022-01-01 to=2022-03-01');
    const r = rangeOf(pairs.from, pairs.to);
    if (typeof r === 'string') throw new RequestError(r);
    period = r;
  }
  if (!period) throw new RequestError(`Which period? e.g. 7d, 30d, 90d, 1y or 2022-01-01..2022-03-01. ${BACKTEST_USAGE}`);
  const req: BacktestRequest = { strategy: strategy.toLowerCase(), period, settings: {} };
  if (symbol !== undefined) req.symbol = symbol;
  for (const [k, v] of Object.entries(pairs)) {
    if (!RESERVED.has(k)) req.settings[k] = v;
  }
  if (pairs.tf !== undefined) {
    if (!isTimeframe(pairs.tf)) throw new RequestError(`tf=${pairs.tf} is not a candle size; use 1m, 5m, 15m, 1h, 4h or 1d`);
    req.timeframe = pairs.tf;
  }
  if (pairs.preset !== undefined) req.preset = pairs.preset;
  if (pairs.pessimistic !== undefined) {
    const v = pairs.pessimistic.toLowerCase();
    if (!YES.has(v) && !NO.has(v)) throw new RequestError(`pessimistic=${pairs.pessimistic} must be yes or no`);
    req.pessimistic = YES.has(v);
  }
  if (pairs.slippage !== undefined) req.slippage = percent('slippage', pairs.slippage, 5);
  if (pairs.partial !== undefined) req.partial = NO.has(pairs.partial.toLowerCase()) ? null : percent('partial', pairs.partial, 100) || null;
  return req;
}

const RANGE_RE = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/;

const decimals = (s: string): number => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);

/** `10..40:10` -> 10, 20, 30, 40; `1,2.5,4` -> the list; null when the value is a plain setting. */
export function parseSweepValue(key: string, value: string, limit: number): number[] | null {
  const m = RANGE_RE.exec(value);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (m[3] === undefined) throw new RequestError(`${key}=${value} needs a step, e.g. ${key}=${m[1]}..${m[2]}:${Math.max(1, Math.abs(b - a) / 4)}`);
    const step = Number(m[3]);
    if (!(step > 0)) throw new RequestError(`${key}=${value}: the step must be above 0`);
    if (b < a) throw new RequestError(`${key}=${value}: the range must go up (${m[2]} is below ${m[1]})`);
    const count = Math.floor((b - a) / step + 1e-9) + 1;
    if (count > limit) throw new RequestError(`${key}=${value} alone is ${count} runs; the limit is ${limit}`);
    const d = Math.max(decimals(m[1]!), decimals(m[3]));
    return Array.from({ length: count }, (_, i) => Number((a + i * step).toFixed(d)));
  }
  if (value.includes(',')) {
    const vals = value.split(',').map((v) => Number(v.trim().replace(/%$/, '')));
    if (vals.some((v) => !Number.isFinite(v))) throw new RequestError(`${key}=${value}: a list must be numbers, e.g. ${key}=10,20,30`);
    return [...new Set(vals)];
  }
  return null;
}

export function parseOptimizeArgs(tokens: readonly string[], maxRuns: number): OptimizeRequest {
  const base = parseBacktestArgs(tokens);
  const ranges: SweepRange[] = [];
  for (const [k, v] of Object.entries(base.settings)) {
    const values = parseSweepValue(k, v, maxRuns);
    if (values === null) continue;
    ranges.push({ key: k, values });
    delete base.settings[k];
  }
  if (ranges.length === 0) throw new RequestError(`Nothing to sweep: give at least one key=a..b:step. ${OPTIMIZE_USAGE}`);
  const runs = ranges.reduce((n, r) => n * r.values.length, 1);
  if (runs > maxRuns) {
    throw new RequestError(`That is ${runs} runs (${ranges.map((r) => `${r.key}: ${r.values.length}`).join(' × ')}); the limit is ${maxRuns}. Use bigger steps or fewer keys`);
  }
  const metricText = (splitArgs(tokens).pairs.metric ?? 'sharpe').toLowerCase();
  if (!isRankMetric(metricText)) throw new RequestError(`metric=${metricText} is not one of ${Object.keys(RANK_METRICS).join(', ')}`);
  return { ...base, ranges, metric: metricText };
}

/** Every combination of the sweep values, in a fixed order (first key slowest). */
export function sweepCombinations(ranges: readonly SweepRange[]): Record<string, number>[] {
  let out: Record<string, number>[] = [{}];
  for (const r of ranges) out = out.flatMap((c) => r.values.map((v) => ({ ...c, [r.key]: v })));
  return out;
}
