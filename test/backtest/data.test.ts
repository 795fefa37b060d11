import { describe, expect, it } from 'vitest';
import { findGaps, sliceAggregate } from '../../src/backtest/columns.js';
import { chooseCandleFile, listCandleFiles, readCandleWindow, type FileChoice } from '../../src/backtest/csv-source.js';
import { defaultTimeframe, DAY_MS, parsePeriodWord, sampleInterval, type PeriodSpec } from '../../src/backtest/period.js';
import { candles, FILES, SHARED_DATA, sharedFile } from './helpers/data.js';

const D = (s: string): number => Date.parse(`${s}T00:00:00Z`);
const period = (w: string): PeriodSpec => {
  const p = parsePeriodWord(w);
  if (p === null || typeof p === 'string') throw new Error(String(p));
  return p;
};
const choose = async (pair: string, w: string, tf?: Parameters<typeof chooseCandleFile>[3]): Promise<FileChoice> => {
  const c = chooseCandleFile(await listCandleFiles(SHARED_DATA), pair, period(w), tf);
  if (c === null || typeof c === 'string') throw new Error(String(c));
  return c;
};

describe('periods and timeframes', () => {
  it('parses spans and date ranges', () => {
    expect(period('30d')).toEqual({ kind: 'last', ms: 30 * DAY_MS, text: '30d' });
    expect(period('1y')).toMatchObject({ kind: 'last', ms: 365 * DAY_MS });
    expect(period('12h')).toMatchObject({ kind: 'last', ms: 12 * 3_600_000 });
    expect(period('2w')).toMatchObject({ ms: 14 * DAY_MS });
    expect(period('2022-01-01..2022-03-01')).toEqual({ kind: 'range', from: D('2022-01-01'), to: D('2022-03-01'), text: '2022-01-01..2022-03-01' });
    expect(parsePeriodWord('BTC/USDT')).toBeNull();
    expect(parsePeriodWord('2022-03-01..2022-01-01')).toMatch(/ends .* before it starts/);
    expect(parsePeriodWord('2022-13-45..2023-01-01')).toMatch(/not a date/);
    expect(parsePeriodWord('0d')).toMatch(/empty/);
    expect(parsePeriodWord('20y')).toMatch(/longer than 10 years/);
  });

  it('gives each span a sensible timeframe and sample interval', () => {
    expect(defaultTimeframe(7 * DAY_MS)).toBe('1m');
    expect(defaultTimeframe(30 * DAY_MS)).toBe('1m');
    expect(defaultTimeframe(90 * DAY_MS)).toBe('5m');
    expect(defaultTimeframe(365 * DAY_MS)).toBe('15m');
    expect(defaultTimeframe(3 * 365 * DAY_MS)).toBe('1h');
    expect(sampleInterval(30 * DAY_MS, '1m')).toBe(3_600_000);
    expect(sampleInterval(3 * 365 * DAY_MS, '1h')).toBe(DAY_MS);
    expect(sampleInterval(30 * DAY_MS, '1d')).toBe(DAY_MS);
  });
});

describe('choosing a candle file from MARKET_DATA_DIR (../shared/data)', () => {
  it('30d means the 30 days ending at the end of the available data', async () => {
    const c = await choose('BTCUSDT', '30d');
    expect(c.file).toBe('binance_BTCUSDT_1m_2025-07-01_2026-07-01.csv.gz');
    expect([c.from, c.to, c.timeframe]).toEqual([D('2026-06-01'), D('2026-07-01'), '1m']);
    expect(c.notes.join(' ')).toMatch(/30d = 2026-06-01\.\.2026-07-01: the 30d ending where the available data ends/);
  });

  it('a year runs on 15m candles aggregated from the 1m file; tf= overrides', async () => {
    expect(await choose('BTCUSDT', '1y')).toMatchObject({ baseTimeframe: '1m', timeframe: '15m', from: D('2025-07-01'), to: D('2026-07-01') });
    expect(await choose('BTCUSDT', '1y', '1m')).toMatchObject({ baseTimeframe: '1m', timeframe: '1m' });
  });

  it('the most recent data wins, unless a timeframe is asked for', async () => {
    // ETH: 1m candles for 2022, 1h candles up to mid-2025.
    const recent = await choose('ETHUSDT', '30d');
    expect(recent).toMatchObject({ baseTimeframe: '1h', timeframe: '1h', from: D('2025-06-01'), to: D('2025-07-01') });
    expect(recent.notes.join(' ')).toMatch(/only 1h candles cover this period, so it runs on 1h instead of 1m/);
    expect(await choose('ETHUSDT', '30d', '1m')).toMatchObject({ baseTimeframe: '1m', timeframe: '1m', from: D('2022-12-02'), to: D('2023-01-01') });
  });

  it('longer than any 1m file: the long 1h file', async () => {
    expect(await choose('BTCUSDT', '3y')).toMatchObject({ file: 'binance_BTCUSDT_1h_2018-01-01_2025-07-01.csv', timeframe: '1h', from: D('2025-07-01') - 3 * 365 * DAY_MS, to: D('2025-07-01') });
  });

  it('a date range picks the file that covers it, finest when the timeframe is asked for', async () => {
    expect(await choose('BTCUSDT', '2020-03-10..2020-03-20', '1m')).toMatchObject({ file: FILES.btc2020mar1m, from: D('2020-03-10'), to: D('2020-03-20') });
    // Only the 1h file covers 2019: it runs on 1h and says so.
    const c = await choose('BTCUSDT', '2019-01-01..2019-01-15');
    expect(c).toMatchObject({ baseTimeframe: '1h', timeframe: '1h' });
    expect(c.notes.join(' ')).toMatch(/only 1h candles cover this period/);
  });

  it('partial cover and no cover are said in one sentence', async () => {
    const files = await listCandleFiles(SHARED_DATA);
    const partial = chooseCandleFile(files, 'LUNAUSDT', period('2022-05-01..2022-06-01'));
    expect(partial).toMatchObject({ to: D('2022-05-13') });
    expect((partial as FileChoice).notes.join(' ')).toMatch(/covers only 2022-05-01\.\.2022-05-13/);
    expect(chooseCandleFile(files, 'SOLUSDT', period('2020-01-01..2020-02-01'))).toMatch(/no SOLUSDT candles for 2020-01-01\.\.2020-02-01/);
    expect(chooseCandleFile(files, 'DOGEUSDT', period('30d'))).toBeNull();
  });
});

describe('candle columns', () => {
  it('1m aggregated to 1h equals Binance 1h candles for all of March 2020', async () => {
    const m1 = await candles(FILES.btc2020mar1m);
    const h1 = await candles(FILES.btc1h);
    const from = D('2020-03-01');
    const to = D('2020-04-01');
    const agg = sliceAggregate(m1, 60_000, 3_600_000, from, to);
    const ref = sliceAggregate(h1, 3_600_000, 3_600_000, from, to);
    expect(agg.length).toBe(743); // 744 hours; 4 March 10:00 is missing in both sources
    expect(Array.from(agg.time)).toEqual(Array.from(ref.time));
    for (const k of ['open', 'high', 'low', 'close'] as const) expect(Array.from(agg[k])).toEqual(Array.from(ref[k]));
  });

  it('finds the 128 missing minutes of 4 March 2020', async () => {
    const m1 = await candles(FILES.btc2020mar1m);
    const g = findGaps(m1, 60_000, D('2020-03-01'), D('2020-04-01'));
    expect(g).toEqual({ count: 1, missing: 128, largest: [{ from: Date.parse('2020-03-04T09:22:00Z'), to: Date.parse('2020-03-04T11:30:00Z'), missing: 128 }] });
    // A window that starts before the data counts the missing start too.
    expect(findGaps(m1, 60_000, D('2020-02-29'), D('2020-04-01')).missing).toBe(128 + 1440);
  });

  it('reads just a window of a file, exactly as slicing the whole file', async () => {
    const all = await candles(FILES.btc2020mar1m);
    const cases: [number, number][] = [
      [D('2020-03-04'), D('2020-03-05')], // across the gap
      [Date.parse('2020-03-04T09:21:00Z'), Date.parse('2020-03-04T11:31:00Z')], // the gap's edges
      [D('2020-02-01'), D('2020-03-01') + 60_000], // before the data: the first candle only
      [Date.parse('2020-03-31T23:59:00Z'), D('2020-05-01')], // the last candle
      [D('2020-05-01'), D('2020-06-01')], // after the data: nothing
    ];
    for (const [from, to] of cases) {
      const w = await readCandleWindow(sharedFile(FILES.btc2020mar1m), from, to);
      const ref = sliceAggregate(all, 60_000, 60_000, from, to);
      expect(Array.from(w.time.subarray(0, w.length))).toEqual(Array.from(ref.time));
      expect(Array.from(w.close.subarray(0, w.length))).toEqual(Array.from(ref.close));
    }
  });
});

