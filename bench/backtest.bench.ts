/**
 * Backtest speed on one year of real 1m candles (BTC/USDT 2022, 525,600 candles from
 * ../shared/data), one core, the engines unchanged:
 * - backtest.grid.year1m: a 20-line grid over the year's range
 * - backtest.dca.year1m: the DCA preset (5 safety orders, take-profit 1.5 %, cooldown 15 m)
 * - backtest.floor.year1m: a bare loop over the same candle arrays (the speed limit)
 * Each value is the best of several runs (after warm-up), in candles per second.
 */
import { join, resolve } from 'node:path';
import { readCandleColumns, type CandleColumns } from '../src/exchange/market-data/csv.js';
import { snapshotMarkets } from '../src/exchange/markets/snapshot.js';
import { createEngine, parseStrategyConfig, strategies, type StrategyEntry } from '../src/engines/registry.js';
import type { StrategyName } from '../src/engines/types.js';
import { simulate, type SimOutput } from '../src/backtest/simulator.js';
import type { Benchmark, BenchResult } from './types.js';

const FILE = 'binance_BTCUSDT_1m_2022-01-01_2023-01-01.csv.gz';
const DATA_DIR = resolve(process.env.SHARED_DATA_DIR ?? join(import.meta.dirname, '../../shared/data'));
const RUNS = 9;
/** The best published grid/DCA backtester (Passivbot, Rust): about 0.7 million 1m candles per second. */
const PUBLISHED = 700_000;

let loaded: Promise<CandleColumns> | null = null;
function year(): Promise<CandleColumns> {
  loaded ??= readCandleColumns(join(DATA_DIR, FILE)).then((c) => {
    if (c.length !== 525_600) throw new Error(`${FILE}: expected 525600 candles, got ${c.length}`);
    return c;
  });
  return loaded;
}

const BTC = snapshotMarkets().get('BTC/USDT')!;

const CONFIGS: Record<'grid' | 'dca', Record<string, unknown>> = {
  grid: { lower: 16000, upper: 48000, lines: 20, spacing: 'geometric', investment: 10000 },
  dca: { base_order: 50, safety_order: 50, max_safety_orders: 5, active_safety_orders: 2, deviation: 1.5, step_scale: 1.3, volume_scale: 1.5, take_profit: 1.5, cooldown: '15m' },
};

function runOnce(strategy: StrategyName, cols: CandleColumns): { ms: number; out: SimOutput } {
  const config = CONFIGS[strategy as 'grid' | 'dca'];
  const parsed = parseStrategyConfig(strategy, config);
  if (!parsed.ok) throw new Error(parsed.error);
  const engine = createEngine(strategy, config, BTC, { price: cols.open[0]! });
  if (!engine.ok) throw new Error(engine.error);
  const funds = (strategies[strategy] as StrategyEntry<unknown>).budget(parsed.value, BTC);
  const t = performance.now();
  const out = simulate({
    engine: engine.value, rules: BTC, cols, start: 0, end: cols.length, tfMs: 60_000, funds,
    exchange: { slippage: 0.0005, pessimistic: false, volumeShare: null }, sampleMs: 3_600_000,
  });
  return { ms: performance.now() - t, out };
}

/** The floor: touch every candle's low and high once, as the skip loop does, and nothing else. */
function floorOnce(cols: CandleColumns): { ms: number; hits: number } {
  const low = cols.low;
  const high = cols.high;
  const n = cols.length;
  const t = performance.now();
  let hits = 0;
  for (let i = 0; i < n; i++) if (!(low[i]! > 1 && high[i]! < 1e9)) hits++;
  return { ms: performance.now() - t, hits };
}

const stats = (ms: number[]): { best: number; median: number } => {
  const s = [...ms].sort((a, b) => a - b);
  return { best: s[0]!, median: s[Math.floor(s.length / 2)]! };
};

async function floorBench(): Promise<BenchResult[]> {
  const cols = await year();
  const times: number[] = [];
  for (let k = 0; k < RUNS * 3; k++) {
    const r = floorOnce(cols);
    if (r.hits !== 0) throw new Error('the floor loop found an invalid candle');
    times.push(r.ms);
  }
  const { best, median } = stats(times.slice(RUNS));
  return [{ bench: 'backtest.floor.year1m', value: Math.round(cols.length / (best / 1000)), unit: 'candles/s', candles: cols.length, ms: Number(best.toFixed(3)), median_ms: Number(median.toFixed(3)), loop: 'one compare of low and high per candle over Float64Arrays' }];
}

function engineBench(strategy: 'grid' | 'dca'): () => Promise<BenchResult[]> {
  return async () => {
    const cols = await year();
    const floor = stats(Array.from({ length: RUNS }, () => floorOnce(cols).ms)).best;
    for (let k = 0; k < 3; k++) runOnce(strategy, cols); // warm-up (JIT)
    const runs = Array.from({ length: RUNS }, () => runOnce(strategy, cols));
    const { best, median } = stats(runs.map((r) => r.ms));
    const o = runs[0]!.out;
    const perSec = Math.round(cols.length / (best / 1000));
    return [
      {
        bench: `backtest.${strategy}.year1m`,
        value: perSec,
        unit: 'candles/s',
        candles: cols.length,
        ms: Number(best.toFixed(2)),
        median_ms: Number(median.toFixed(2)),
        median_per_s: Math.round(cols.length / (median / 1000)),
        floor_per_s: Math.round(cols.length / (floor / 1000)),
        share_of_floor: Number((floor / best).toFixed(4)),
        vs_published: Number((perSec / PUBLISHED).toFixed(1)),
        target_per_s: 20_000_000,
        meets_target: perSec >= 20_000_000,
        wakes: o.wakes,
        engine_events: o.engineEvents,
        fills: o.fillCount,
        net_profit_pct: Number((((o.finalEquity - o.initialEquity) / o.initialEquity) * 100).toFixed(2)),
        config: CONFIGS[strategy],
      },
    ];
  };
}

const benchmarks: Benchmark[] = [
  { names: ['backtest.grid.year1m'], run: engineBench('grid') },
  { names: ['backtest.dca.year1m'], run: engineBench('dca') },
  { names: ['backtest.floor.year1m'], run: floorBench },
];
export default benchmarks;
