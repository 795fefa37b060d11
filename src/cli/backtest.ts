/**
 * `npm run backtest -- <strategy> <symbol> <period> [key=value ...] [--data DIR] [--json] [--chart out.png]`
 * A thin shell over BacktestService: the same parsing, data, simulation and storage as /backtest.
 * Exit codes: 0 done, 1 the request cannot run (one sentence on stderr), 2 usage or setup error.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPresets } from '../app/bots/presets.js';
import { CcxtExchange } from '../exchange/ccxt/adapter.js';
import { snapshotMarkets } from '../exchange/markets/snapshot.js';
import type { MarketRules } from '../exchange/types.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { systemClock } from '../lib/clock.js';
import type { CandleSource } from '../backtest/data.js';
import { resultPlain, sweepPlain } from '../backtest/format.js';
import { parseBacktestArgs, parseOptimizeArgs, RequestError, type BacktestRequest, type OptimizeRequest } from '../backtest/request.js';
import { BacktestService } from '../backtest/service.js';
import { openDatabase, type Database } from '../store/index.js';
import { findPackageRoot } from '../store/package-root.js';
import { CLI_USAGE, CliUsageError, parseCliArgs } from './args.js';

const err = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** The exchange's public API when reachable (for candles without a data folder), else null. */
async function publicExchange(apiUrl: string | undefined): Promise<CcxtExchange | null> {
  const ex = new CcxtExchange({ exchange: 'binance', apiUrl: apiUrl ?? null, clock: systemClock, random: Math.random, timeoutMs: 5_000, backoff: { attempts: 1 } });
  try {
    await ex.loadMarkets();
    return ex;
  } catch {
    await ex.close();
    return null;
  }
}

const isSweep = (r: BacktestRequest | OptimizeRequest): r is OptimizeRequest => 'ranges' in r;

async function main(argv: string[]): Promise<number> {
  const opts = parseCliArgs(argv);
  if (opts.help) {
    console.log(CLI_USAGE);
    return 0;
  }
  const config = loadConfig({ ...process.env, ...(opts.data ? { MARKET_DATA_DIR: opts.data } : {}) });
  const dataDir = config.env.MARKET_DATA_DIR ?? null;
  const maxRuns = config.app.backtest.maxOptimizeRuns;
  const request = opts.optimize ? parseOptimizeArgs(opts.words, maxRuns) : parseBacktestArgs(opts.words);

  let db: Database | null = null;
  if (opts.store) {
    try {
      db = await openDatabase(config.env.DATABASE_URL);
    } catch (e) {
      err(`note: the run is not stored (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const ex = dataDir ? null : await publicExchange(config.env.EXCHANGE_API_URL);
  const candles: CandleSource | null = ex ? { id: ex.id, kind: 'live', fetchCandles: (s, tf, a, b) => ex.fetchCandles(s, tf, a, b) } : null;
  const markets = async (): Promise<ReadonlyMap<string, MarketRules>> => (ex ? ex.loadMarkets() : snapshotMarkets());
  const service = new BacktestService({
    clock: systemClock,
    marketDataDir: dataDir,
    candles,
    prisma: db?.prisma ?? null,
    presets: loadPresets(join(findPackageRoot(), 'configs', 'presets')),
    markets,
    maxOptimizeRuns: maxRuns,
    sim: { slippage: config.app.paper.slippage },
  });
  const progress = opts.json || !process.stderr.isTTY ? undefined : (p: { text: string }) => err(`… ${p.text}`);
  try {
    if (isSweep(request)) {
      const out = await service.optimize(request, { ...(progress ? { onProgress: progress } : {}), store: opts.store });
      if (opts.json) {
        const { all: _all, ...rest } = out;
        console.log(JSON.stringify(rest, null, 2));
      } else console.log(`${sweepPlain(out)}\n(${out.runs} runs in ${(out.durationMs / 1000).toFixed(1)} s${out.stored > 0 ? `, stored ${out.stored}` : ''})`);
      return 0;
    }
    const out = await service.run(request, { chart: opts.chart !== null, store: opts.store, ...(progress ? { onProgress: progress } : {}) });
    if (opts.chart && out.png) await writeFile(opts.chart, out.png);
    if (opts.json) console.log(JSON.stringify(out.result, null, 2));
    else {
      const extra = [`(${(out.durationMs / 1000).toFixed(2)} s${out.runId !== null ? `, run #${out.runId}` : ''}${opts.chart ? `, chart: ${opts.chart}` : ''})`];
      console.log(resultPlain(out.result, ['', ...extra]));
    }
    return 0;
  } finally {
    await service.close();
    await ex?.close();
    await db?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof RequestError) {
      err(e.message);
      process.exitCode = 1;
    } else if (e instanceof CliUsageError) {
      err(`${e.message}\n${CLI_USAGE}`);
      process.exitCode = 2;
    } else if (e instanceof ConfigError) {
      err(e.message);
      process.exitCode = 2;
    } else {
      err(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 2;
    }
  },
);
