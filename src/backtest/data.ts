/**
 * Where a backtest's candles come from: MARKET_DATA_DIR files first (the file whose pair and span
 * cover the request), else the exchange port (paged, cached in the database), else one sentence
 * saying there is no data.
 */
import type { MarketDataKind } from '../exchange/market-data/source.js';
import { TIMEFRAME_MS, type MarketRules, type Timeframe } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';
import { chooseCandleFile, listCandleFiles, pairsOf } from './csv-source.js';
import { defaultTimeframe, formatDay, type PeriodSpec } from './period.js';
import { loadRemoteCandles, type CandleFetcher } from './remote-source.js';
import { RequestError } from './request.js';
import type { CandleCacheStore } from './store.js';
import type { DataRef } from './types.js';

/** Candles through the exchange port, and what kind of prices they are. */
export interface CandleSource extends CandleFetcher {
  /** Exchange id for the cache and the result, e.g. 'binance'. */
  id: string;
  /** 'synthetic' prices are refused unless allowed. */
  kind: MarketDataKind;
}

export interface DataDeps {
  marketDataDir: string | null;
  candles: CandleSource | null;
  cache: CandleCacheStore | null;
  clock: Clock;
  allowSynthetic: boolean;
}

export const NO_DATA =
  'There is no market data to backtest on: set MARKET_DATA_DIR to a folder of candle CSV files (e.g. ../shared/data), or let the bot reach the exchange.';

export async function resolveData(
  deps: DataDeps,
  rules: MarketRules,
  period: PeriodSpec,
  tf: Timeframe | undefined,
  onFetch?: (done: number, total: number) => void,
): Promise<DataRef> {
  let dirNote: string | null = null;
  if (deps.marketDataDir) {
    const files = await listCandleFiles(deps.marketDataDir);
    const choice = chooseCandleFile(files, rules.id, period, tf);
    if (typeof choice === 'string') throw new RequestError(choice);
    if (choice) {
      return {
        kind: 'file', path: choice.path, baseTimeframe: choice.baseTimeframe, timeframe: choice.timeframe, from: choice.from, to: choice.to,
        label: choice.file, notes: choice.notes,
      };
    }
    dirNote = `MARKET_DATA_DIR has no ${rules.id} candles (it has ${pairsOf(files).join(', ') || 'no candle files'})`;
  }
  const src = deps.candles;
  if (!src || (src.kind === 'synthetic' && !deps.allowSynthetic) || src.kind === 'replay') {
    throw new RequestError(dirNote ? `${dirNote}, and the exchange cannot be reached for it.` : NO_DATA);
  }
  const span = period.kind === 'last' ? period.ms : period.to - period.from;
  const timeframe = tf ?? defaultTimeframe(span);
  const tfMs = TIMEFRAME_MS[timeframe];
  // Only closed candles: the window ends at the start of the candle in progress.
  const now = Math.floor(deps.clock.now() / tfMs) * tfMs;
  const to = Math.min(period.kind === 'last' ? now : Math.floor(period.to / tfMs) * tfMs, now);
  const from = Math.ceil((period.kind === 'last' ? to - period.ms : period.from) / tfMs) * tfMs;
  if (!(to > from)) throw new RequestError(`the period ${period.text} has not happened yet`);
  let load;
  try {
    load = await loadRemoteCandles({ fetcher: src, cache: deps.cache, exchange: src.id, symbol: rules.symbol, timeframe, from, to, ...(onFetch ? { onProgress: onFetch } : {}) });
  } catch (err) {
    throw new RequestError(`Could not get ${rules.symbol} candles from ${src.id}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const notes = dirNote ? [dirNote] : [];
  if (period.kind === 'last') notes.push(`${period.text} = ${formatDay(from)}..${formatDay(to)}, ending at the last closed candle`);
  const cached = load.fetched === 0 ? ' (from the cache)' : load.fromCache > 0 ? ' (partly from the cache)' : '';
  return {
    kind: 'columns', cols: load.cols, timeframe, from, to,
    label: `${src.id} ${src.kind === 'synthetic' ? 'synthetic prices' : 'candles via the exchange API'}${cached}`,
    notes, synthetic: src.kind === 'synthetic',
  };
}
