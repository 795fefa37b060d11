/**
 * The backtest loop: an engine, unchanged, driven by candles through the paper exchange's book.
 *
 * Per candle, exactly what the paper exchange does in a candle replay: the resting orders are
 * matched on the candle's price path, the fills and order updates go to the engine, then the
 * candle itself; the engine's intents are carried out at the candle's close (market orders at the
 * close with slippage) and rest from the next candle on.
 *
 * Speed comes from skipping, never from different rules: a candle whose low and high stay strictly
 * inside the band where neither the engine (its wake range) nor the book (its resting orders) can
 * react changes nothing, so the tight loop walks past it over the Float64Arrays. Engines that need
 * every close (everyClose) get every candle.
 */
import type { CandleColumns } from '../exchange/market-data/csv.js';
import type { Candle, MarketRules } from '../exchange/types.js';
import type { CandleEvent, Engine, EngineEvent } from '../engines/types.js';
import { SimExchange, type SimExchangeOptions, type SimFill } from './sim-exchange.js';
import { TradeLedger } from './trades.js';

export interface SimInput {
  engine: Engine;
  rules: MarketRules;
  cols: CandleColumns;
  /** Index range [start, end) of the candles to run. */
  start: number;
  end: number;
  /** Candle length in ms. */
  tfMs: number;
  /** What the engine was allotted (the simulated account holds exactly this). */
  funds: { quote: number; base: number };
  exchange: SimExchangeOptions;
  /** Equity sample interval in ms (a multiple of tfMs that divides a day). */
  sampleMs: number;
  keepFills?: boolean;
  /** Called now and then with the share of candles done (0..1). */
  onProgress?: (fraction: number) => void;
}

export interface EquitySamples {
  time: Float64Array;
  equity: Float64Array;
  price: Float64Array;
  length: number;
}

export interface SimOutput {
  samples: EquitySamples;
  ledger: TradeLedger;
  fills: SimFill[];
  candles: number;
  /** Candles the simulator stopped at (the rest were skipped). */
  wakes: number;
  engineEvents: number;
  fillCount: number;
  placed: number;
  rejected: number;
  cancelled: number;
  feesQuote: number;
  volumeQuote: number;
  initialEquity: number;
  finalEquity: number;
  firstOpen: number;
  lastClose: number;
  startTime: number;
  /** Close time of the last candle. */
  endTime: number;
  /** Largest fall from a peak, in quote and as a fraction of the peak. */
  maxDrawdown: number;
  maxDrawdownPct: number;
  /** Time with base held (at least the market's minimum amount). */
  timeInMarketMs: number;
  finalQuote: number;
  finalBase: number;
  realisedProfit: number;
  phase: string;
}

/** Events one candle may cause before the engine is considered stuck. */
const MAX_EVENTS_PER_CANDLE = 20_000;
const PROGRESS_CHUNK = 1 << 16;

/** First index in [lo, hi) with times[index] >= t (hi when none), galloping from lo. */
function lowerBound(times: Float64Array, lo: number, hi: number, t: number): number {
  let step = 1;
  while (lo + step < hi && times[lo + step]! < t) {
    lo += step;
    step *= 2;
  }
  if (lo + step < hi) hi = lo + step + 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function simulate(input: SimInput): SimOutput {
  const { engine, rules, cols, start, end, tfMs } = input;
  if (!(end > start)) throw new RangeError('the backtest has no candles to run');
  const ex = new SimExchange(rules, input.funds, input.exchange, input.keepFills ?? false);
  const ledger = new TradeLedger();
  const time = cols.time;
  const open = cols.open;
  const high = cols.high;
  const low = cols.low;
  const close = cols.close;
  const volume = cols.volume;
  const sampleMs = input.sampleMs;
  const dust = Math.max(rules.minAmount, rules.stepSize);

  const startTime = time[start]!;
  const firstOpen = open[start]!;
  const initialEquity = input.funds.quote + input.funds.base * firstOpen;
  const maxSamples = Math.ceil((time[end - 1]! + tfMs - startTime) / sampleMs) + 3;
  const sTime = new Float64Array(maxSamples);
  const sEquity = new Float64Array(maxSamples);
  const sPrice = new Float64Array(maxSamples);
  let ns = 0;
  sTime[0] = startTime;
  sEquity[0] = initialEquity;
  sPrice[0] = firstOpen;
  ns = 1;

  let peak = initialEquity;
  let maxDd = 0;
  let maxDdPct = 0;
  const track = (equity: number): void => {
    if (equity > peak) peak = equity;
    else {
      const dd = peak - equity;
      if (dd > maxDd) maxDd = dd;
      const pct = peak > 0 ? dd / peak : 0;
      if (pct > maxDdPct) maxDdPct = pct;
    }
  };

  // Account totals change only when the engine wakes.
  let q = ex.quote;
  let b = ex.base;
  let inMarketSince = b >= dust ? startTime : -1;
  let inMarketMs = 0;

  let wakes = 0;
  let engineEvents = 0;
  const queue: EngineEvent[] = [];

  const wake = (i: number): void => {
    const now = time[i]! + tfMs;
    const c: CandleEvent & Candle = { type: 'candle', time: time[i]!, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! };
    queue.length = 0;
    ex.applyCandle(c, queue);
    queue.push(c);
    for (let k = 0; k < queue.length; k++) {
      if (k >= MAX_EVENTS_PER_CANDLE) throw new Error(`the ${engine.strategy} engine did not settle within one candle (${new Date(c.time).toISOString()})`);
      const out = engine.onEvent(queue[k]!, now);
      engineEvents++;
      if (out.intents.length > 0) for (const it of out.intents) ex.execute(it, now, queue);
      if (out.events.length > 0) {
        const realised = engine.balances().realisedProfit;
        for (const e of out.events) ledger.onEvent(e, realised);
      }
    }
    wakes++;
    ex.settle();
    const held = b >= dust;
    q = ex.quote;
    b = ex.base;
    if (held !== b >= dust) {
      if (held) inMarketMs += now - inMarketSince;
      else inMarketSince = now;
    }
    track(q + b * close[i]!);
  };

  const band = (): [number, number] => {
    const w = engine.wake();
    if (w.everyClose) return [Infinity, -Infinity];
    return [w.below > ex.maxBuy ? w.below : ex.maxBuy, w.above < ex.minSell ? w.above : ex.minSell];
  };

  const endTime = time[end - 1]! + tfMs;
  let nextSample = (Math.floor(startTime / sampleMs) + 1) * sampleMs;
  // Candles before sampleIdx close at or before nextSample; end + 1 = no more samples.
  const sampleIndex = (from: number): number => (nextSample > endTime ? end + 1 : lowerBound(time, from, end, nextSample - tfMs + 1));
  let sampleIdx = Math.max(start + 1, sampleIndex(start));
  let progressAt = start + PROGRESS_CHUNK;
  let [lo, hi] = band();
  let i = start;
  for (;;) {
    let stop = sampleIdx < end ? sampleIdx : end;
    if (progressAt < stop) stop = progressAt;
    while (i < stop && low[i]! > lo && high[i]! < hi) i++;
    if (i === sampleIdx) {
      // Every sample time whose candles are all done (several across a gap in the data).
      const eq = q + b * close[i - 1]!;
      track(eq);
      while (sampleIdx === i) {
        if (ns >= maxSamples) throw new Error('equity samples overflow');
        sTime[ns] = nextSample;
        sEquity[ns] = eq;
        sPrice[ns] = close[i - 1]!;
        ns++;
        nextSample += sampleMs;
        sampleIdx = sampleIndex(i);
      }
      continue;
    }
    if (i === progressAt) {
      progressAt += PROGRESS_CHUNK;
      input.onProgress?.((i - start) / (end - start));
      continue;
    }
    if (i >= end) break;
    wake(i);
    i++;
    [lo, hi] = band();
  }

  const lastClose = close[end - 1]!;
  const finalEquity = q + b * lastClose;
  track(finalEquity);
  if (ns === 0 || sTime[ns - 1]! < endTime) {
    sTime[ns] = endTime;
    sEquity[ns] = finalEquity;
    sPrice[ns] = lastClose;
    ns++;
  }
  if (b >= dust) inMarketMs += endTime - inMarketSince;
  input.onProgress?.(1);
  return {
    samples: { time: sTime, equity: sEquity, price: sPrice, length: ns },
    ledger,
    fills: ex.fills,
    candles: end - start,
    wakes,
    engineEvents,
    fillCount: ex.fillCount,
    placed: ex.placed,
    rejected: ex.rejected,
    cancelled: ex.cancelled,
    feesQuote: ex.feesQuote,
    volumeQuote: ex.volumeQuote,
    initialEquity,
    finalEquity,
    firstOpen,
    lastClose,
    startTime,
    endTime,
    maxDrawdown: maxDd,
    maxDrawdownPct: maxDdPct,
    timeInMarketMs: inMarketMs,
    finalQuote: q,
    finalBase: b,
    realisedProfit: engine.balances().realisedProfit,
    phase: engine.phase(),
  };
}
