import { describe, expect, it } from 'vitest';
import { chartSvg, renderChart } from '../../src/backtest/chart.js';
import { loadData, runBacktest } from '../../src/backtest/run.js';
import type { BacktestResult } from '../../src/backtest/types.js';
import { FILES, rulesOf, sharedFile } from './helpers/data.js';

async function result(strategy: 'grid' | 'dca', config: Record<string, unknown>): Promise<BacktestResult> {
  const data = await loadData({ kind: 'file', path: sharedFile(FILES.btc2021may1m), baseTimeframe: '1m', timeframe: '5m', from: Date.parse('2021-05-10T00:00:00Z'), to: Date.parse('2021-05-24T00:00:00Z'), label: 'f', notes: [] });
  return runBacktest({ strategy, symbol: 'BTC/USDT', config, rules: rulesOf('BTC/USDT'), sim: { slippage: 0.0005, pessimistic: false, volumeShare: null }, chart: true }, data).result;
}

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Uint8Array): [number, number] => {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
};

describe('the result chart', () => {
  it('draws equity against buy-and-hold with drawdown below, as a PNG', async () => {
    const r = await result('dca', { base_order: 50, safety_order: 50, max_safety_orders: 3, take_profit: 1.5 });
    const svg = await chartSvg(r);
    expect(svg).toContain('equity (USDT)');
    expect(svg).toContain('buy and hold');
    expect(svg).toContain('drawdown %');
    expect(svg).not.toContain('price (USDT)');
    const png = await renderChart(r);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(pngSize(png)).toEqual([1200, 700]);
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('adds a price panel with the grid lines for a grid', async () => {
    const r = await result('grid', { lower: 32000, upper: 58000, lines: 12, investment: 1000 });
    expect(r.gridLines).toHaveLength(12);
    const svg = await chartSvg(r);
    expect(svg).toContain('price (USDT)');
    // one dashed green line per grid line
    expect(svg.match(/stroke="#2da44e"/g)?.length).toBeGreaterThanOrEqual(12);
    expect(pngSize(await renderChart(r))).toEqual([1200, 900]);
  });
});
