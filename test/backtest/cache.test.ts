/** Data resolution without a database (the cache itself is tested with the service, sharing its database). */
import { describe, expect, it } from 'vitest';
import { resolveData } from '../../src/backtest/data.js';
import { parsePeriodWord, type PeriodSpec } from '../../src/backtest/period.js';
import { mergeRange } from '../../src/backtest/store.js';
import { ManualClock } from '../../src/lib/clock.js';
import { rulesOf } from './helpers/data.js';

const BTC = rulesOf('BTC/USDT');
const period = (w: string): PeriodSpec => parsePeriodWord(w) as PeriodSpec;

describe('data resolution', () => {
  it('merges covered ranges', () => {
    expect(mergeRange([[0, 10], [20, 30]], 10, 20)).toEqual([[0, 30]]);
    expect(mergeRange([[0, 10]], 15, 20)).toEqual([[0, 10], [15, 20]]);
  });

  it('without a folder or an exchange, says so in one sentence; synthetic prices are refused', async () => {
    const clock = new ManualClock(Date.parse('2024-01-01T00:00:00Z'));
    await expect(resolveData({ marketDataDir: null, candles: null, cache: null, clock, allowSynthetic: false }, BTC, period('7d'), undefined)).rejects.toThrow(
      /^There is no market data to backtest on: set MARKET_DATA_DIR/,
    );
    const synthetic = { id: 'fake', kind: 'synthetic' as const, fetchCandles: () => Promise.resolve([]) };
    await expect(resolveData({ marketDataDir: null, candles: synthetic, cache: null, clock, allowSynthetic: false }, BTC, period('7d'), undefined)).rejects.toThrow(/no market data/);
  });
});
