/**
 * Candles through the exchange port, paged, with a database cache: what was fetched once for a
 * (exchange, symbol, timeframe, range) is read back from the cache next time.
 */
import type { CandleColumns } from '../exchange/market-data/csv.js';
import { TIMEFRAME_MS, type Candle, type Timeframe } from '../exchange/types.js';
import { columnsOf } from '../exchange/market-data/memory.js';
import type { CandleCacheStore, CandleKey } from './store.js';

export interface CandleFetcher {
  fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]>;
}

/** Candles per request. */
export const PAGE_CANDLES = 1_000;

export interface RemoteLoad {
  cols: CandleColumns;
  fetched: number;
  fromCache: number;
  requests: number;
}

export async function loadRemoteCandles(opts: {
  fetcher: CandleFetcher;
  cache: CandleCacheStore | null;
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  from: number;
  to: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<RemoteLoad> {
  const tfMs = TIMEFRAME_MS[opts.timeframe];
  const key: CandleKey = { exchange: opts.exchange, symbol: opts.symbol, timeframe: opts.timeframe };
  const missing = opts.cache ? await opts.cache.missing(key, opts.from, opts.to) : [[opts.from, opts.to] as [number, number]];
  const total = missing.reduce((s, [a, b]) => s + Math.ceil((b - a) / (tfMs * PAGE_CANDLES)), 0);
  let requests = 0;
  const fresh: Candle[] = [];
  for (const [a, b] of missing) {
    const got: Candle[] = [];
    for (let t = a; t < b; t += tfMs * PAGE_CANDLES) {
      const until = Math.min(b, t + tfMs * PAGE_CANDLES);
      const page = await opts.fetcher.fetchCandles(opts.symbol, opts.timeframe, t, until);
      for (const c of page) if (c.time >= t && c.time < until && (got.length === 0 || c.time > got[got.length - 1]!.time)) got.push(c);
      requests++;
      opts.onProgress?.(requests, total);
    }
    // Only a range that ended in the past is complete: the candle in progress is not cached.
    if (opts.cache) await opts.cache.save(key, got, a, b);
    fresh.push(...got);
  }
  let candles = fresh;
  let fromCache = 0;
  const fetchedAll = missing.length === 1 && missing[0]![0] === opts.from && missing[0]![1] === opts.to;
  if (opts.cache && !fetchedAll) {
    candles = await opts.cache.load(key, opts.from, opts.to);
    fromCache = candles.length - fresh.length;
  }
  candles.sort((x, y) => x.time - y.time);
  return { cols: columnsOf(candles), fetched: fresh.length, fromCache, requests };
}
