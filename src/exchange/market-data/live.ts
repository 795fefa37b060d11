/**
 * Live public market data through an exchange port (the ccxt adapter without keys): tickers and
 * closed 1m candles, for paper trading on real prices.
 */
import type { Clock } from '../../lib/clock.js';
import { TIMEFRAME_MS, type Candle, type ExchangePort, type Ticker, type Timeframe } from '../types.js';
import type { MarketDataSource } from './source.js';

export class LiveMarketData implements MarketDataSource {
  readonly kind = 'live' as const;
  readonly description: string;

  constructor(
    private readonly exchange: ExchangePort,
    readonly clock: Clock,
  ) {
    this.description = `live public market data from ${exchange.id}`;
  }

  baseTimeframe(): Timeframe {
    return '1m';
  }

  fetchTicker(symbol: string): Promise<Ticker> {
    return this.exchange.fetchTicker(symbol);
  }

  async fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<Candle[]> {
    const now = this.clock.now();
    const candles = await this.exchange.fetchCandles(symbol, timeframe, since, Math.min(until, now));
    return candles.filter((c) => c.time + TIMEFRAME_MS[timeframe] <= now);
  }

  close(): Promise<void> {
    return this.exchange.close();
  }
}
