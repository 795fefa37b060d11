/**
 * Where prices come from when no real exchange trades for us: CSV replay, a seeded synthetic
 * series, or live public data. The paper exchange matches on a source's closed candles.
 */
import type { Clock } from '../../lib/clock.js';
import type { Candle, Ticker, Timeframe } from '../types.js';

export type MarketDataKind = 'replay' | 'live' | 'synthetic' | 'memory';

export interface MarketDataSource {
  readonly kind: MarketDataKind;
  /** One sentence for the owner: what the prices are (the demo prints it). */
  readonly description: string;
  /** The source's "now": data time for a replay, the wall clock otherwise. */
  readonly clock: Clock;
  /** The finest timeframe the source has for a symbol (what matching runs on); null when it has none. */
  baseTimeframe(symbol: string): Timeframe | null;
  /** Latest price at `clock.now()`. */
  fetchTicker(symbol: string): Promise<Ticker>;
  /** CLOSED candles with open time in [since, until), ascending. Coarser timeframes are aggregated. */
  fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]>;
  close(): Promise<void>;
}
