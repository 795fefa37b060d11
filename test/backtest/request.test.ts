import { describe, expect, it } from 'vitest';
import { dailyReturns, sharpeOf, sortinoOf } from '../../src/backtest/metrics.js';
import { chunk, rankRuns, type SweepRun } from '../../src/backtest/optimize.js';
import { DAY_MS } from '../../src/backtest/period.js';
import { parseBacktestArgs, parseOptimizeArgs, parseSweepValue, sweepCombinations } from '../../src/backtest/request.js';
import { mergeSettings, pickPreset } from '../../src/backtest/settings.js';
import type { BacktestMetrics } from '../../src/backtest/metrics.js';
import type { Preset } from '../../src/engines/presets.js';

const words = (s: string): string[] => s.split(' ');

describe('backtest arguments', () => {
  it('reads strategy, optional symbol, period and settings', () => {
    expect(parseBacktestArgs(words('dca 30d'))).toMatchObject({ strategy: 'dca', period: { kind: 'last', text: '30d' }, settings: {} });
    expect(parseBacktestArgs(words('grid BTC/USDT 90d lines=30 lower=50000 upper=70000'))).toMatchObject({
      strategy: 'grid', symbol: 'BTC/USDT', settings: { lines: '30', lower: '50000', upper: '70000' },
    });
    const r = parseBacktestArgs(words('Grid ethusdt lines=10 from=2022-01-01 to=2022-02-01 tf=1h pessimistic=yes slippage=0.1 partial=5'));
    expect(r).toMatchObject({ strategy: 'grid', symbol: 'ethusdt', timeframe: '1h', pessimistic: true, slippage: 0.001, partial: 0.05, settings: { lines: '10' } });
    expect(r.period).toMatchObject({ kind: 'range', from: Date.parse('2022-01-01T00:00:00Z') });
  });

  it('answers bad input with one sentence', () => {
    expect(() => parseBacktestArgs([])).toThrow(/Usage: \/backtest/);
    expect(() => parseBacktestArgs(words('dca BTC/USDT'))).toThrow(/Which period\?/);
    expect(() => parseBacktestArgs(words('dca 30d 7d'))).toThrow(/two periods/);
    expect(() => parseBacktestArgs(words('dca 30d tf=2m'))).toThrow(/tf=2m is not a candle size/);
    expect(() => parseBacktestArgs(words('dca 30d lines=1 lines=2'))).toThrow(/given twice/);
    expect(() => parseBacktestArgs(words('dca 30d from=2022-01-01'))).toThrow(/either a period/);
    expect(() => parseBacktestArgs(words('dca BTC/USDT ETH/USDT 30d'))).toThrow(/neither a market nor a period/);
    expect(() => parseBacktestArgs(words('dca 30d slippage=9'))).toThrow(/percentage from 0 to 5/);
  });
});

describe('sweep arguments', () => {
  it('expands ranges and lists, and bounds the number of runs', () => {
    expect(parseSweepValue('lines', '10..40:10', 100)).toEqual([10, 20, 30, 40]);
    expect(parseSweepValue('take_profit', '0.5..1.5:0.25', 100)).toEqual([0.5, 0.75, 1, 1.25, 1.5]);
    expect(parseSweepValue('x', '1,2.5,4', 100)).toEqual([1, 2.5, 4]);
    expect(parseSweepValue('x', '7', 100)).toBeNull();
    expect(() => parseSweepValue('x', '1..5', 100)).toThrow(/needs a step/);
    const r = parseOptimizeArgs(words('grid BTC/USDT 90d lines=10..40:10 range_pct=5,10 investment=1000 metric=profit'), 100);
    expect(r.ranges).toEqual([{ key: 'lines', values: [10, 20, 30, 40] }, { key: 'range_pct', values: [5, 10] }]);
    expect(r.settings).toEqual({ investment: '1000' });
    expect(r.metric).toBe('profit');
    expect(sweepCombinations(r.ranges)).toHaveLength(8);
    expect(sweepCombinations(r.ranges)[1]).toEqual({ lines: 10, range_pct: 10 });
    expect(() => parseOptimizeArgs(words('grid 90d lines=10..40:10 range_pct=1..10:1'), 20)).toThrow(/That is 40 runs .* the limit is 20/);
    expect(() => parseOptimizeArgs(words('grid 90d lines=10'), 20)).toThrow(/Nothing to sweep/);
    expect(() => parseOptimizeArgs(words('grid 90d lines=10..20:5 metric=luck'), 20)).toThrow(/metric=luck/);
  });

  it('ranks by the metric (drawdown: lower is better) and splits work evenly', () => {
    const run = (index: number, m: Partial<BacktestMetrics>): SweepRun => ({ index, values: { x: index }, config: {}, error: null, metrics: { netProfitPct: 0, maxDrawdownPct: 0, sharpe: null, ...m } as BacktestMetrics });
    const runs = [run(0, { netProfitPct: 5, maxDrawdownPct: 9 }), run(1, { netProfitPct: 9, maxDrawdownPct: 3 }), run(2, { netProfitPct: 9, maxDrawdownPct: 1 }), { index: 3, values: { x: 3 }, config: null, metrics: null, error: 'no' }];
    expect(rankRuns(runs, 'profit').map((r) => r.index)).toEqual([1, 2, 0]);
    expect(rankRuns(runs, 'drawdown').map((r) => r.index)).toEqual([2, 1, 0]);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2, 3], [4, 5]]);
    expect(chunk([1], 2)).toEqual([[1]]);
  });
});

describe('settings from presets', () => {
  const presets: Preset[] = [
    { name: 'g1', strategy: 'grid', description: '', symbol: 'ETH/USDT', config: { range_pct: 8, stop_loss_pct: 5, lines: 20, investment: 1000 } },
    { name: 'g2', strategy: 'grid', description: '', symbol: 'BTC/USDT', config: { range_pct: 10, lines: 10, investment: 500 } },
  ];
  it('picks by name, else by market, else the first', () => {
    expect((pickPreset(presets, 'grid', 'BTC/USDT', undefined) as Preset).name).toBe('g2');
    expect((pickPreset(presets, 'grid', undefined, undefined) as Preset).name).toBe('g1');
    expect(pickPreset(presets, 'grid', undefined, 'nope')).toMatch(/no grid preset "nope" \(known: g1, g2\)/);
    expect(pickPreset(presets, 'dca', undefined, undefined)).toBeNull();
  });
  it('a typed absolute range replaces the preset relative one', () => {
    expect(mergeSettings(presets[0]!, { lower: '50000', upper: '70000', lines: '30' })).toEqual({ lines: '30', investment: 1000, lower: '50000', upper: '70000' });
    expect(mergeSettings({ ...presets[0]!, config: { lower: 1, upper: 2, stop_loss: 0.5, investment: 9 } }, { range_pct: '5' })).toEqual({ investment: 9, range_pct: '5' });
  });
});

describe('risk-adjusted figures', () => {
  it('Sharpe and Sortino from daily returns, by hand', () => {
    const r = [0.01, -0.02, 0.03, 0.0];
    // mean 0.005; sample sd sqrt(((0.005)^2 + (0.025)^2 + (0.025)^2 + (0.005)^2) / 3) = sqrt(0.0013/3) = 0.0208167
    expect(sharpeOf(r)).toBeCloseTo((0.005 / Math.sqrt(0.0013 / 3)) * Math.sqrt(365), 3);
    // downside deviation sqrt((0.02^2) / 4) = 0.01
    expect(sortinoOf(r)).toBeCloseTo((0.005 / 0.01) * Math.sqrt(365), 3);
    expect(sharpeOf([0.01])).toBeNull();
    expect(sortinoOf([0.01, 0.02])).toBeNull();
  });
  it('daily returns use the samples on UTC day boundaries only', () => {
    const t0 = Date.parse('2022-01-01T00:00:00Z');
    const time = new Float64Array([t0, t0 + 3_600_000, t0 + DAY_MS, t0 + DAY_MS + 3_600_000, t0 + 2 * DAY_MS]);
    const equity = new Float64Array([100, 150, 110, 50, 99]);
    const r = dailyReturns({ time, equity, price: new Float64Array(5), length: 5 });
    expect(r).toHaveLength(2);
    expect(r[0]).toBeCloseTo(0.1, 12); // 100 -> 110
    expect(r[1]).toBeCloseTo(-0.1, 12); // 110 -> 99
  });
});
