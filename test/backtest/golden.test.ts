/**
 * Golden results on fixed real data: a change in any result figure (engine, matching, metrics)
 * shows up here. After an intended change, re-bless with UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPresets } from '../../src/app/bots/presets.js';
import { loadData, runBacktest } from '../../src/backtest/run.js';
import type { BacktestJob, DataRef } from '../../src/backtest/types.js';
import type { StrategyName } from '../../src/engines/types.js';
import type { Timeframe } from '../../src/exchange/types.js';
import { FILES, rulesOf, sharedFile } from './helpers/data.js';

const GOLDEN = join(import.meta.dirname, 'golden', 'results.json');
const presets = loadPresets(join(import.meta.dirname, '../../configs/presets'));
const preset = (name: string): Record<string, unknown> => {
  const p = presets.find((x) => x.name === name);
  if (!p) throw new Error(`no preset ${name}`);
  return p.config;
};

interface Case {
  name: string;
  strategy: StrategyName;
  symbol: string;
  config: Record<string, unknown>;
  file: string;
  base: Timeframe;
  tf: Timeframe;
  from: string;
  to: string;
}

const CASES: Case[] = [
  { name: 'dca preset, BTC May 2021 (1m)', strategy: 'dca', symbol: 'BTC/USDT', config: preset('dca-btc-default'), file: FILES.btc2021may1m, base: '1m', tf: '1m', from: '2021-05-01', to: '2021-06-01' },
  { name: 'grid with stop-loss, BTC March 2020 crash (1m, 128 candles missing)', strategy: 'grid', symbol: 'BTC/USDT', config: { lower: 5000, upper: 9500, lines: 30, investment: 3000, stop_loss: 4500 }, file: FILES.btc2020mar1m, base: '1m', tf: '1m', from: '2020-03-01', to: '2020-04-01' },
  { name: 'grid preset, SOL 2025 H1 (5m -> 15m)', strategy: 'grid', symbol: 'SOL/USDT', config: { ...preset('grid-btc-default'), range_pct: 20, stop_loss_pct: 10 }, file: FILES.sol5m, base: '5m', tf: '15m', from: '2025-01-01', to: '2025-07-01' },
  { name: 'trend preset, BTC 2022 (1h)', strategy: 'trend', symbol: 'BTC/USDT', config: preset('trend-btc-1h'), file: FILES.btc1h, base: '1h', tf: '1h', from: '2022-01-01', to: '2023-01-01' },
  { name: 'hybrid preset, BTC 2021 (1h)', strategy: 'hybrid', symbol: 'BTC/USDT', config: preset('hybrid-btc-default'), file: FILES.btc1h, base: '1h', tf: '1h', from: '2021-01-01', to: '2022-01-01' },
];

async function run(c: Case) {
  const ref: DataRef = { kind: 'file', path: sharedFile(c.file), baseTimeframe: c.base, timeframe: c.tf, from: Date.parse(`${c.from}T00:00:00Z`), to: Date.parse(`${c.to}T00:00:00Z`), label: c.file, notes: [] };
  const job: BacktestJob = { strategy: c.strategy, symbol: c.symbol, config: c.config, rules: rulesOf(c.symbol), sim: { slippage: 0.0005, pessimistic: false, volumeShare: null }, chart: false };
  return runBacktest(job, await loadData(ref)).result;
}

/** What the golden file keeps of a result. */
const essence = (r: Awaited<ReturnType<typeof run>>) => ({ metrics: r.metrics, data: r.data, stats: r.stats, gridLines: r.gridLines, warnings: r.warnings, finalEquity: r.curve.equity.at(-1) });

describe('golden results on real data', () => {
  const golden: Record<string, unknown> = existsSync(GOLDEN) ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>) : {};
  const update = process.env.UPDATE_GOLDEN === '1';
  const fresh: Record<string, unknown> = {};

  for (const c of CASES) {
    it(c.name, async () => {
      const got = JSON.parse(JSON.stringify(essence(await run(c)))) as unknown;
      fresh[c.name] = got;
      if (update) {
        writeFileSync(GOLDEN, `${JSON.stringify({ ...golden, ...fresh }, null, 2)}\n`);
        return;
      }
      expect(golden[c.name], `no golden result for "${c.name}": run UPDATE_GOLDEN=1 npx vitest run test/backtest/golden.test.ts`).toBeDefined();
      expect(got).toEqual(golden[c.name]);
    });
  }

  it('the same inputs give the same result, curve included', async () => {
    const a = await run(CASES[1]!);
    const b = await run(CASES[1]!);
    expect(b).toEqual(a);
    expect(a.metrics.trades).toBeGreaterThan(0);
  });
});
