/**
 * Parameter sweep: a bounded grid search over key=a..b:step values, split across the worker
 * threads (both cores), ranked by one metric; the top 5 come back with a plain warning that the
 * best of many runs on one period is partly luck.
 */
import type { WorkerPool } from './pool.js';
import { RANK_METRICS, type BacktestMetrics, type RankMetric } from './metrics.js';
import { RequestError, sweepCombinations, type OptimizeRequest } from './request.js';
import type { BacktestJob, DataInfo, DataRef, Progress } from './types.js';

export interface SweepRun {
  index: number;
  /** The swept values of this run. */
  values: Record<string, number>;
  /** The effective settings (null when the settings were refused). */
  config: Record<string, unknown> | null;
  metrics: BacktestMetrics | null;
  error: string | null;
}

export interface OptimizeOutcome {
  strategy: string;
  symbol: string;
  metric: RankMetric;
  runs: number;
  failed: number;
  /** The best runs, best first (at most 5). */
  top: SweepRun[];
  all: SweepRun[];
  /** Why runs were refused (distinct sentences, at most 3). */
  errors: string[];
  data: DataInfo;
  warning: string;
  durationMs: number;
  stored: number;
}

export const OVERFITTING_WARNING =
  'The best of many settings on one past period is partly luck: these numbers overstate what to expect (overfitting). Check the winner on a different period before trusting it.';

/** Sorts runs best first by the metric (ties: the earlier run). */
export function rankRuns(runs: readonly SweepRun[], metric: RankMetric): SweepRun[] {
  const m = RANK_METRICS[metric];
  return runs
    .filter((r): r is SweepRun & { metrics: BacktestMetrics } => r.metrics !== null)
    .sort((a, b) => {
      const x = m.get(a.metrics);
      const y = m.get(b.metrics);
      if (x === y) return a.index - b.index;
      return m.higher ? (y > x ? 1 : -1) : x > y ? 1 : -1;
    });
}

/** Contiguous, balanced chunks. */
export function chunk<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  const n = Math.max(1, Math.min(parts, items.length));
  let at = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor(items.length / n) + (i < items.length % n ? 1 : 0);
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

export async function runSweep(pool: WorkerPool, job: BacktestJob, data: DataRef, req: OptimizeRequest, maxRuns: number, onProgress?: (p: Progress) => void): Promise<OptimizeOutcome> {
  const combos = sweepCombinations(req.ranges);
  if (combos.length > maxRuns) throw new RequestError(`That is ${combos.length} runs; the limit is ${maxRuns}.`);
  const configs = combos.map((c) => ({ ...job.config, ...c }));
  const all: SweepRun[] = combos.map((values, index) => ({ index, values, config: null, metrics: null, error: null }));
  let done = 0;
  let info: DataInfo | null = null;
  let shown = -1;
  const parts = chunk(configs.map((config, index) => ({ config, index })), pool.size);
  await Promise.all(
    parts.map((part) =>
      pool.run({ type: 'sweep', job, data, configs: part.map((p) => p.config), first: part[0]!.index }, (msg) => {
        if (msg.type === 'error') throw msg.input ? new RequestError(msg.message) : new Error(msg.message);
        if (msg.type === 'sweep-item') {
          const run = all[msg.index]!;
          run.metrics = msg.metrics;
          run.error = msg.error;
          run.config = msg.config;
          done++;
          const step = Math.floor((done / combos.length) * 20);
          if (step > shown) {
            shown = step;
            onProgress?.({ stage: 'sweep', fraction: done / combos.length, text: `run ${done} of ${combos.length}` });
          }
        }
        if (msg.type === 'sweep-done') info = msg.data;
        return msg.type === 'sweep-done';
      }),
    ),
  );
  const ranked = rankRuns(all, req.metric);
  const errors = [...new Set(all.map((r) => r.error).filter((e): e is string => e !== null))].slice(0, 3);
  return {
    strategy: job.strategy,
    symbol: job.symbol,
    metric: req.metric,
    runs: combos.length,
    failed: all.filter((r) => r.metrics === null).length,
    top: ranked.slice(0, 5),
    all,
    errors,
    data: info!,
    warning: OVERFITTING_WARNING,
    durationMs: 0,
    stored: 0,
  };
}
