/** Real candles from ../shared/data, loaded once per test file. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCandleColumns, type CandleColumns } from '../../../src/exchange/market-data/csv.js';
import { snapshotMarkets } from '../../../src/exchange/markets/snapshot.js';
import type { MarketRules } from '../../../src/exchange/types.js';
import { sliceAggregate } from '../../../src/backtest/columns.js';

export const SHARED_DATA = resolve(process.env.SHARED_DATA_DIR ?? join(import.meta.dirname, '../../../../shared/data'));

export const FILES = {
  btc2021may1m: 'binance_BTCUSDT_1m_2021-05-01_2021-06-01.csv',
  btc2020mar1m: 'binance_BTCUSDT_1m_2020-03-01_2020-04-01.csv',
  btc1h: 'binance_BTCUSDT_1h_2018-01-01_2025-07-01.csv',
  sol5m: 'binance_SOLUSDT_5m_2025-01-01_2025-07-01.csv',
  btc2022: 'binance_BTCUSDT_1m_2022-01-01_2023-01-01.csv.gz',
} as const;

export function sharedFile(name: string): string {
  const p = join(SHARED_DATA, name);
  if (!existsSync(p)) throw new Error(`test data ${p} is missing (set SHARED_DATA_DIR to the shared data folder)`);
  return p;
}

const cache = new Map<string, Promise<CandleColumns>>();

export function candles(name: string): Promise<CandleColumns> {
  let p = cache.get(name);
  if (!p) {
    p = readCandleColumns(sharedFile(name));
    cache.set(name, p);
  }
  return p;
}

/** [from, to) of a file's candles, optionally aggregated (baseMs -> tfMs). */
export async function window(name: string, from: string, to: string, baseMs = 60_000, tfMs = baseMs): Promise<CandleColumns> {
  return sliceAggregate(await candles(name), baseMs, tfMs, Date.parse(`${from}T00:00:00Z`), Date.parse(`${to}T00:00:00Z`));
}

export function rulesOf(symbol: string): MarketRules {
  const r = snapshotMarkets().get(symbol);
  if (!r) throw new Error(`no rules for ${symbol}`);
  return r;
}
