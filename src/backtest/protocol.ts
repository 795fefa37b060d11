/** Messages between the backtest service and its worker threads. */
import type { BacktestMetrics } from './metrics.js';
import type { BacktestJob, BacktestResult, DataInfo, DataRef, Progress } from './types.js';

export type WorkerRequest =
  | { id: number; type: 'backtest'; job: BacktestJob; data: DataRef }
  /** Runs the same job with each config; reports metrics per run. */
  | { id: number; type: 'sweep'; job: BacktestJob; data: DataRef; configs: Record<string, unknown>[]; first: number };

export type WorkerResponse =
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'done'; result: BacktestResult; png: Uint8Array | null }
  | { id: number; type: 'sweep-item'; index: number; metrics: BacktestMetrics | null; error: string | null; config: Record<string, unknown> | null }
  | { id: number; type: 'sweep-done'; data: DataInfo }
  /** input: the user's request cannot run (one sentence); otherwise a bug or a broken file. */
  | { id: number; type: 'error'; message: string; input: boolean };
