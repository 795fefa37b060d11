/** What a backtest gets and gives: plain JSON-friendly shapes shared by the service, worker and CLI. */
import type { CandleColumns } from '../exchange/market-data/csv.js';
import type { MarketRules, Timeframe } from '../exchange/types.js';
import type { StrategyName } from '../engines/types.js';
import type { GapReport } from './columns.js';
import type { BacktestMetrics } from './metrics.js';
import type { SimExchangeOptions } from './sim-exchange.js';

/** Where the candles are: a file the worker reads itself, or columns handed over. */
export type DataRef =
  | { kind: 'file'; path: string; baseTimeframe: Timeframe; timeframe: Timeframe; from: number; to: number; label: string; notes: string[]; synthetic?: boolean }
  | { kind: 'columns'; cols: CandleColumns; timeframe: Timeframe; from: number; to: number; label: string; notes: string[]; synthetic?: boolean };

export interface BacktestJob {
  strategy: StrategyName;
  symbol: string;
  /** Raw settings (preset merged with the user's key=value), validated by the engine's schema. */
  config: Record<string, unknown>;
  rules: MarketRules;
  sim: SimExchangeOptions;
  /** Render the PNG chart. */
  chart: boolean;
}

export interface DataInfo {
  /** Where the candles came from: a file name, or e.g. "binance via the exchange API (cached)". */
  source: string;
  timeframe: Timeframe;
  /** First candle's open time and last candle's close time. */
  from: number;
  to: number;
  candles: number;
  gaps: GapReport;
  notes: string[];
  synthetic: boolean;
}

export interface EquityCurve {
  time: number[];
  equity: number[];
  hold: number[];
  /** Last close at each point. */
  price: number[];
  /** Drawdown from the running peak, percent (<= 0). */
  drawdownPct: number[];
}

export interface BacktestResult {
  strategy: StrategyName;
  symbol: string;
  /** The effective settings (defaults filled in). */
  config: Record<string, unknown>;
  description: string;
  data: DataInfo;
  metrics: BacktestMetrics;
  /** What the simulation assumes, in sentences. */
  assumptions: string[];
  /** Engine errors and the like, in sentences. */
  warnings: string[];
  curve: EquityCurve;
  /** Grid line prices (grid and hybrid), for the chart. */
  gridLines: number[];
  stats: { candles: number; wakes: number; engineEvents: number; phase: string };
}

/** One finished backtest as the service returns it. */
export interface BacktestOutcome {
  result: BacktestResult;
  png: Uint8Array | null;
  durationMs: number;
  runId: number | null;
}

export interface Progress {
  stage: 'data' | 'simulate' | 'chart' | 'sweep';
  /** 0..1 */
  fraction: number;
  text: string;
}
