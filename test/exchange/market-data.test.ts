/** Market-data sources: CSV replay of the real candles in ../shared/data, synthetic, memory, live. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCandleColumns, toCandles } from '../../src/exchange/market-data/csv.js';
import { LiveMarketData } from '../../src/exchange/market-data/live.js';
import { MemoryCandleSource } from '../../src/exchange/market-data/memory.js';
import { CsvReplaySource, symbolOfPair } from '../../src/exchange/market-data/replay.js';
import { SyntheticSource } from '../../src/exchange/market-data/synthetic.js';
import { snapshotMarkets } from '../../src/exchange/markets/snapshot.js';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange.js';
import type { Candle, ExchangePort } from '../../src/exchange/types.js';
import { ManualClock } from '../../src/lib/clock.js';

const DATA = resolve(process.cwd(), '../shared/data');
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

describe.skipIf(!existsSync(DATA))('CSV replay of ../shared/data', () => {
  it('indexes the files and picks the finest one covering the start', async () => {
    const r = await CsvReplaySource.open({ dir: DATA, wallClock: new ManualClock(0) });
    expect(r.replayClock.start).toBe(at('2020-03-01T00:00:00Z')); // the earliest BTCUSDT 1m file
    expect(r.baseTimeframe('BTC/USDT')).toBe('1m');
    expect(r.baseTimeframe('ETH/USDT')).toBe('1h');
    expect(r.baseTimeframe('LUNA/USDT')).toBeNull();
    expect(r.description).toMatch(/candle replay from .* at 1x/);
    expect(symbolOfPair('LUNAUSDT')).toBe('LUNA/USDT');
  });

  it('replays at a chosen speed, showing only candles closed by data time', async () => {
    const wall = new ManualClock(1_000_000);
    const r = await CsvReplaySource.open({ dir: DATA, wallClock: wall, speed: 60, start: at('2022-01-01T00:00:00Z') });
    expect(await r.fetchCandles('BTC/USDT', '1m', 0, Infinity)).toEqual([]);
    expect((await r.fetchTicker('BTC/USDT')).last).toBe(46_216.93); // the open of the first candle
    wall.advance(10_000); // 10 s of wall time = 10 minutes of data
    const cs = await r.fetchCandles('BTC/USDT', '1m', 0, Infinity);
    expect(cs).toHaveLength(10);
    expect(cs[0]).toEqual({ time: 1_640_995_200_000, open: 46_216.93, high: 46_271.08, low: 46_208.37, close: 46_250, volume: 40.57574 });
  });

  it('aggregates 1m candles into the same hours as the exchange 1h file', async () => {
    const wall = new ManualClock(0);
    const r = await CsvReplaySource.open({ dir: DATA, wallClock: wall, speed: 3_600, start: at('2022-01-01T00:00:00Z') });
    wall.advance(24_000); // a day of data
    const hours = await r.fetchCandles('BTC/USDT', '1h', at('2022-01-01T00:00:00Z'), at('2022-01-02T00:00:00Z'));
    const file = await readCandleColumns(`${DATA}/binance_BTCUSDT_1h_2018-01-01_2025-07-01.csv`);
    const ref = toCandles(file).filter((c) => c.time >= at('2022-01-01T00:00:00Z') && c.time < at('2022-01-02T00:00:00Z'));
    expect(hours).toHaveLength(24);
    const ohlc = (c: Candle) => [c.time, c.open, c.high, c.low, c.close];
    expect(hours.map(ohlc)).toEqual(ref.map(ohlc));
  });

  it('drives the paper exchange: a limit order fills on the first real candle that trades through it', async () => {
    const wall = new ManualClock(0);
    const start = at('2021-05-19T00:00:00Z'); // a volatile day
    const r = await CsvReplaySource.open({ dir: DATA, wallClock: wall, speed: 600, start });
    const paper = await PaperExchange.open({ markets: snapshotMarkets(), clock: r.clock, marketData: r, slippage: 0 });
    const first = (await r.fetchTicker('BTC/USDT')).last;
    const limit = Math.round(first * 0.97 * 100) / 100;
    await paper.createOrder({ clientOrderId: 'replay-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: limit });
    const file = toCandles(await readCandleColumns(`${DATA}/binance_BTCUSDT_1m_2021-05-01_2021-06-01.csv`));
    const through = file.find((c) => c.time >= start && c.low < limit)!;
    for (let i = 0; i < 400 && (await paper.fetchOrder('BTC/USDT', 'replay-1'))?.status === 'open'; i++) wall.advance(1_000);
    const [trade] = await paper.fetchMyTrades('BTC/USDT', 0);
    expect(trade).toMatchObject({ price: limit, amount: 0.01, takerOrMaker: 'maker', timestamp: through.time });
    expect((await paper.fetchBalance()).BTC?.total).toBe(0.00999);
  });

  it('replays the LUNA collapse on its fine tick', async () => {
    const wall = new ManualClock(0);
    const r = await CsvReplaySource.open({ dir: DATA, wallClock: wall, speed: 3_600, start: at('2022-05-12T00:00:00Z') });
    const paper = await PaperExchange.open({ markets: snapshotMarkets(), clock: r.clock, marketData: r, slippage: 0 });
    await paper.createOrder({ clientOrderId: 'luna', symbol: 'LUNA/USDT', side: 'buy', type: 'limit', amount: 20_000, price: 0.001 });
    wall.advance(24_000);
    expect(await paper.fetchOrder('LUNA/USDT', 'luna')).toMatchObject({ status: 'filled', average: 0.001 });
  });
});

describe('other market-data sources', () => {
  it('synthetic prices are seeded, valid candles, and only closed ones', async () => {
    const clock = new ManualClock(at('2024-01-10T12:00:30Z'));
    const a = new SyntheticSource({ clock, seed: 7 });
    const b = new SyntheticSource({ clock, seed: 7 });
    const ca = await a.fetchCandles('BTC/USDT', '1m', at('2024-01-10T00:00:00Z'), Infinity);
    expect(ca).toEqual(await b.fetchCandles('BTC/USDT', '1m', at('2024-01-10T00:00:00Z'), Infinity));
    expect(ca).toHaveLength(720);
    for (const c of ca) expect(c.low <= Math.min(c.open, c.close) && c.high >= Math.max(c.open, c.close) && c.low > 0).toBe(true);
    expect(ca).not.toEqual(await new SyntheticSource({ clock, seed: 8 }).fetchCandles('BTC/USDT', '1m', at('2024-01-10T00:00:00Z'), Infinity));
    expect(a.description).toMatch(/synthetic/);
    const h = await a.fetchCandles('BTC/USDT', '1h', at('2024-01-10T00:00:00Z'), Infinity);
    expect(h).toHaveLength(12);
    expect(h[0]!.open).toBe(ca[0]!.open);
    expect(h[0]!.close).toBe(ca[59]!.close);
  });

  it('memory candles refuse finer timeframes than they hold', async () => {
    const src = MemoryCandleSource.of({ 'BTC/USDT': { timeframe: '1h', candles: [] } }, new ManualClock(0));
    await expect(src.fetchCandles('BTC/USDT', '1m', 0, 1)).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('live data drops the candle still in progress', async () => {
    const clock = new ManualClock(10 * MIN + 30_000);
    const candles = Array.from({ length: 11 }, (_, i) => ({ time: i * MIN, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
    const port = { id: 'stub', fetchCandles: () => Promise.resolve(candles), fetchTicker: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() };
    const live = new LiveMarketData(port as unknown as ExchangePort, clock);
    expect(await live.fetchCandles('BTC/USDT', '1m', 0, Infinity)).toHaveLength(10);
  });
});
