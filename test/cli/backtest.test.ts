/** `npm run backtest` as a user runs it: a child process on the shared data. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../../src/cli/args.js';
import type { BacktestResult } from '../../src/backtest/types.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = resolve(process.env.SHARED_DATA_DIR ?? join(ROOT, '../shared/data'));
const tmp = mkdtempSync(join(tmpdir(), 'bt-cli-'));

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/backtest.ts', ...args], { cwd: ROOT, env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr });
    });
  });
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run backtest', () => {
  it('parses its flags', () => {
    expect(parseCliArgs(['grid', 'BTC/USDT', '30d', 'lines=10', '--json', '--data', '/x', '--chart', 'c.png'])).toMatchObject({
      words: ['grid', 'BTC/USDT', '30d', 'lines=10'], json: true, data: '/x', chart: 'c.png', optimize: false, store: true,
    });
    expect(() => parseCliArgs(['--data'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['dca', '7d', '--fast'])).toThrow(/unknown option --fast/);
    expect(() => parseCliArgs(['--optimize', 'grid', '7d', 'lines=2..4:1', '--chart', 'x.png'])).toThrow(/not with --optimize/);
  });

  describe.concurrent('as a child process on ../shared/data', () => {
    it('--json prints the result object only', async () => {
      const r = await cli(['grid', 'BTC/USDT', '2021-05-10..2021-05-24', 'lower=32000', 'upper=58000', 'lines=12', 'investment=1000', '--data', DATA, '--json', '--no-store'], { MARKET_DATA_DIR: undefined });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout) as BacktestResult;
      expect(result).toMatchObject({ strategy: 'grid', symbol: 'BTC/USDT', data: { source: 'binance_BTCUSDT_1m_2021-05-01_2021-06-01.csv', timeframe: '1m', candles: 14 * 1440 } });
      expect(result.metrics.grid!.cycles).toBeGreaterThan(0);
      expect(result.assumptions.length).toBeGreaterThan(5);
      expect(result.gridLines).toHaveLength(12);
    });

    it('prints a table and writes the chart', async () => {
      const png = join(tmp, 'dca.png');
      const r = await cli(['dca', 'ETH/USDT', '30d', 'tf=1m', 'base_order=20', 'safety_order=20', '--chart', png, '--no-store'], { MARKET_DATA_DIR: DATA });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Backtest dca ETH\/USDT\n/);
      expect(r.stdout).toMatch(/data: binance_ETHUSDT_1m_2022-01-01_2023-01-01\.csv\.gz, 2022-12-02\.\.2023-01-01 \(43200 × 1m · no gaps\)/);
      expect(r.stdout).toMatch(/Net profit .* USDT/);
      expect(r.stdout).toMatch(/Assumptions:\n- Candles of 1m/);
      expect(existsSync(png)).toBe(true);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    });

    it('--optimize --json prints the top runs with the warning', async () => {
      const r = await cli(['--optimize', 'grid', 'SOL/USDT', '30d', 'investment=500', 'lines=10..20:10', 'range_pct=5,10', 'metric=profit', '--data', DATA, '--json', '--no-store']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { runs: number; top: { values: Record<string, number> }[]; warning: string; all?: unknown };
      expect(out.runs).toBe(4);
      expect(out.top.length).toBeGreaterThan(0);
      expect(out.warning).toMatch(/overfitting/);
      expect(out.all).toBeUndefined();
    });

    it('says in one sentence when there is no data at all', async () => {
      const r = await cli(['dca', 'BTC/USDT', '7d', '--no-store'], { MARKET_DATA_DIR: undefined, EXCHANGE_API_URL: 'http://127.0.0.1:9' });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe('There is no market data to backtest on: set MARKET_DATA_DIR to a folder of candle CSV files (e.g. ../shared/data), or let the bot reach the exchange.');
    });
  });
});
