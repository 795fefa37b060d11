/**
 * One backtest, in process: candles in, result out. The worker calls this; tests and the benchmark
 * may call it directly. Deterministic: no clock, no randomness.
 */
import type { CandleColumns } from '../exchange/market-data/csv.js';
import { TIMEFRAME_MS } from '../exchange/types.js';
import { createEngine, parseStrategyConfig, strategies, type StrategyEntry } from '../engines/registry.js';
import { roundMoney } from '../lib/precision.js';
import { assumptionsFor } from './assumptions.js';
import { findGaps } from './columns.js';
import { loadFileSlice } from './csv-source.js';
import { computeMetrics } from './metrics.js';
import { sampleInterval } from './period.js';
import { simulate, type EquitySamples, type SimOutput } from './simulator.js';
import type { BacktestJob, BacktestResult, DataInfo, DataRef, EquityCurve } from './types.js';

export class BacktestInputError extends Error {
  override readonly name = 'BacktestInputError';
}

export interface LoadedData {
  cols: CandleColumns;
  info: DataInfo;
}

export async function loadData(ref: DataRef): Promise<LoadedData> {
  const cols = ref.kind === 'file' ? await loadFileSlice(ref) : ref.cols;
  const tfMs = TIMEFRAME_MS[ref.timeframe];
  if (cols.length === 0) throw new BacktestInputError(`there are no candles in ${ref.label} for that period`);
  const from = cols.time[0]!;
  const to = cols.time[cols.length - 1]! + tfMs;
  return {
    cols,
    info: {
      source: ref.label,
      timeframe: ref.timeframe,
      from,
      to,
      candles: cols.length,
      gaps: findGaps(cols, tfMs, Math.min(from, ref.from), Math.max(to, ref.to)),
      notes: ref.notes,
      synthetic: ref.synthetic === true,
    },
  };
}

export interface RunOutput {
  result: BacktestResult;
  sim: SimOutput;
}

/** Validates the settings and builds the engine at the first candle's price; one sentence on failure. */
export function prepareEngine(job: BacktestJob, firstPrice: number) {
  const parsed = parseStrategyConfig(job.strategy, job.config);
  if (!parsed.ok) throw new BacktestInputError(parsed.error);
  const entry = strategies[job.strategy] as StrategyEntry<unknown>;
  const engine = createEngine(job.strategy, job.config, job.rules, { price: firstPrice });
  if (!engine.ok) throw new BacktestInputError(engine.error);
  return { engine: engine.value, config: parsed.value as Record<string, unknown>, entry, funds: entry.budget(parsed.value, job.rules) };
}

export function runBacktest(job: BacktestJob, data: LoadedData, onProgress?: (fraction: number) => void): RunOutput {
  const { cols, info } = data;
  const tfMs = TIMEFRAME_MS[info.timeframe];
  const { engine, config, entry, funds } = prepareEngine(job, cols.open[0]!);
  const engineTf = typeof config.timeframe === 'string' ? config.timeframe : null;
  if (engineTf !== null && engineTf !== info.timeframe) {
    throw new BacktestInputError(`this ${job.strategy} bot trades ${engineTf} candles but the data is ${info.timeframe}`);
  }
  const sim = simulate({
    engine,
    rules: job.rules,
    cols,
    start: 0,
    end: cols.length,
    tfMs,
    funds,
    exchange: job.sim,
    sampleMs: sampleInterval(info.to - info.from, info.timeframe),
    ...(onProgress ? { onProgress } : {}),
  });
  const dust = Math.max(job.rules.minAmount, job.rules.stepSize);
  const openAtEnd = sim.finalBase >= dust;
  const metrics = computeMetrics(sim, { takerFee: job.rules.takerFee, strategy: job.strategy, openAtEnd });
  const state = engine.snapshot().state as { grid?: { prices?: unknown } };
  const gridLines = Array.isArray(state.grid?.prices) ? (state.grid.prices as number[]).map((p) => roundMoney(p, 8)) : [];
  const warnings = [...sim.ledger.errors];
  if (sim.ledger.skippedOrders > 0) warnings.push(`${sim.ledger.skippedOrders} orders were skipped by the strategy (funds or exchange minimums).`);
  if (sim.rejected > 0) warnings.push(`${sim.rejected} orders were refused by the simulated exchange.`);
  if (info.gaps.missing > 0) warnings.push(`${info.gaps.missing} candles are missing in the data (${info.gaps.count} gaps); prices jump across them.`);
  if (info.synthetic) warnings.push('These are SYNTHETIC prices, not market data: the result says nothing about real markets.');
  const result: BacktestResult = {
    strategy: job.strategy,
    symbol: job.symbol,
    config,
    description: entry.describe(config, job.rules),
    data: info,
    metrics,
    assumptions: assumptionsFor(job.rules, info.timeframe, job.sim, funds),
    warnings,
    curve: curveOf(sim.samples, sim.initialEquity, job.rules.takerFee, sim.firstOpen),
    gridLines,
    stats: { candles: sim.candles, wakes: sim.wakes, engineEvents: sim.engineEvents, phase: sim.phase },
  };
  return { result, sim };
}

/** At most `max` points: equity and buy-and-hold at each kept sample, the deepest drawdown in between. */
export function curveOf(s: EquitySamples, initial: number, takerFee: number, firstOpen: number, max = 600): EquityCurve {
  const curve: EquityCurve = { time: [], equity: [], hold: [], price: [], drawdownPct: [] };
  const n = s.length;
  const step = Math.max(1, Math.ceil(n / max));
  let peak = -Infinity;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const e = s.equity[i]!;
    if (e > peak) peak = e;
    const dd = peak > 0 ? (e / peak - 1) * 100 : 0;
    if (dd < worst) worst = dd;
    if (i % step === 0 || i === n - 1) {
      curve.time.push(s.time[i]!);
      curve.equity.push(roundMoney(e, 2));
      curve.hold.push(roundMoney(initial * (1 - takerFee) * (s.price[i]! / firstOpen), 2));
      curve.price.push(s.price[i]!);
      curve.drawdownPct.push(roundMoney(worst, 2));
      worst = 0;
    }
  }
  return curve;
}
