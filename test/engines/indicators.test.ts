/**
 * The incremental EMA / ATR must equal technicalindicators' (the maintained reference library)
 * bit for bit, on real candles.
 */
import { ATR, EMA } from 'technicalindicators';
import { beforeAll, describe, expect, it } from 'vitest';
import { atrInit, atrNext, emaInit, emaNext } from '../../src/engines/indicators.js';
import { readCandleColumns, type CandleColumns } from '../../src/exchange/market-data/csv.js';

let cols: CandleColumns;
let closes: number[];

beforeAll(async () => {
  cols = await readCandleColumns('/work/shared/data/binance_BTCUSDT_1h_2018-01-01_2025-07-01.csv');
  closes = Array.from(cols.close);
});

/** First index where two series differ, or -1. */
function firstDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('incremental indicators versus technicalindicators', () => {
  it.each([2, 12, 26, 50, 200])('EMA(%i) is identical on 65,590 hourly BTC closes', (period) => {
    const ref = EMA.calculate({ period, values: closes });
    const s = emaInit(period);
    const mine: number[] = [];
    for (const c of closes) {
      const v = emaNext(s, c);
      if (!Number.isNaN(v)) mine.push(v);
    }
    expect(mine.length).toBe(closes.length - period + 1);
    expect(firstDiff(mine, ref)).toBe(-1);
  });

  it.each([3, 14, 21])('ATR(%i) is identical on 65,590 hourly BTC candles', (period) => {
    const high = Array.from(cols.high);
    const low = Array.from(cols.low);
    const ref = ATR.calculate({ period, high, low, close: closes });
    const s = atrInit(period);
    const mine: number[] = [];
    for (let i = 0; i < cols.length; i++) {
      const v = atrNext(s, high[i]!, low[i]!, closes[i]!);
      if (!Number.isNaN(v)) mine.push(v);
    }
    expect(mine.length).toBe(cols.length - period);
    expect(firstDiff(mine, ref)).toBe(-1);
  });

  it('keeps its state as plain JSON (a restored state continues identically)', () => {
    const a = emaInit(26);
    const b = atrInit(14);
    for (let i = 0; i < 1000; i++) {
      emaNext(a, closes[i]!);
      atrNext(b, cols.high[i]!, cols.low[i]!, closes[i]!);
    }
    const a2 = JSON.parse(JSON.stringify(a)) as typeof a;
    const b2 = JSON.parse(JSON.stringify(b)) as typeof b;
    for (let i = 1000; i < 1100; i++) {
      expect(emaNext(a2, closes[i]!)).toBe(emaNext(a, closes[i]!));
      expect(atrNext(b2, cols.high[i]!, cols.low[i]!, closes[i]!)).toBe(atrNext(b, cols.high[i]!, cols.low[i]!, closes[i]!));
    }
  });
});
