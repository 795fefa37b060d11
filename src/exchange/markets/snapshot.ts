/**
 * The markets snapshot kept in the repo (snapshot.json: Binance exchangeInfo, trimmed; see its
 * `_source` and `_date`). Paper trading uses it offline; the Binance emulator serves it.
 */
import snapshot from './snapshot.json' with { type: 'json' };
import { rulesFromExchangeInfo } from './binance-filters.js';
import type { MarketRules } from '../types.js';

export const SNAPSHOT_DATE: string = snapshot._date;
export const SNAPSHOT_FEES = { maker: snapshot._fees.maker, taker: snapshot._fees.taker };

/** A deep copy of the exchangeInfo document (safe to mutate). */
export function snapshotExchangeInfo(): typeof snapshot {
  return structuredClone(snapshot);
}

let cached: ReadonlyMap<string, MarketRules> | undefined;

/** Rules of the snapshot's markets, by unified symbol ('BTC/USDT'). */
export function snapshotMarkets(): ReadonlyMap<string, MarketRules> {
  cached ??= rulesFromExchangeInfo(snapshot, SNAPSHOT_FEES);
  return cached;
}
