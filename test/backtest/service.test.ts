/**
 * BacktestService end to end on worker threads: real files, one job per user, the event loop
 * kept free, sweeps across the workers, every run stored; and candles through the exchange port,
 * paged and cached in the database (one database for the file).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPresets } from '../../src/app/bots/presets.js';
import { BacktestBusyError, BacktestService } from '../../src/backtest/service.js';
import { parseBacktestArgs, parseOptimizeArgs, RequestError } from '../../src/backtest/request.js';
import { openDatabase, type Database } from '../../src/store/index.js';
import { resolveData } from '../../src/backtest/data.js';
import { parsePeriodWord, type PeriodSpec } from '../../src/backtest/period.js';
import { PAGE_CANDLES } from '../../src/backtest/remote-source.js';
import { BacktestRunStore, CandleCacheStore } from '../../src/backtest/store.js';
import { TIMEFRAME_MS, type Candle, type Timeframe } from '../../src/exchange/types.js';
import { ManualClock, systemClock } from '../../src/lib/clock.js';
import { rulesOf, SHARED_DATA } from './helpers/data.js';

const BTC = rulesOf('BTC/USDT');
const period = (w: string): PeriodSpec => parsePeriodWord(w) as PeriodSpec;


const args = (s: string): string[] => s.split(' ');
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A fake exchange: one candle per minute except a hole, counting requests. */
class FakeCandles {
  id = 'fakex';
  kind = 'live' as const;
  calls: [number, number][] = [];
  constructor(private readonly hole: [number, number]) {}
  fetchCandles(_symbol: string, tf: Timeframe, since: number, until: number): Promise<Candle[]> {
    this.calls.push([since, until]);
    const out: Candle[] = [];
    const step = TIMEFRAME_MS[tf];
    for (let t = since; t < until; t += step) {
      if (t >= this.hole[0] && t < this.hole[1]) continue;
      const p = 100 + (t / step) % 7;
      out.push({ time: t, open: p, high: p + 1, low: p - 1, close: p, volume: 1 });
    }
    return Promise.resolve(out);
  }
}


let db: Database;
beforeAll(async () => {
  db = await openDatabase('pglite:memory');
});
afterAll(async () => {
  await db?.close();
});

describe('BacktestService', () => {
  let service: BacktestService;
  beforeAll(() => {
    service = new BacktestService({
      clock: systemClock,
      marketDataDir: SHARED_DATA,
      prisma: db.prisma,
      presets: loadPresets(join(import.meta.dirname, '../../configs/presets')),
      maxOptimizeRuns: 6,
      workers: 2,
    });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('runs /backtest dca 7d from the preset on the latest data, with a chart, and stores it', async () => {
    const stages: string[] = [];
    const out = await service.run(parseBacktestArgs(args('dca 7d')), { userId: 1, onProgress: (p) => stages.push(p.stage) });
    const r = out.result;
    expect(r).toMatchObject({ strategy: 'dca', symbol: 'BTC/USDT', data: { source: 'binance_BTCUSDT_1m_2025-07-01_2026-07-01.csv.gz', timeframe: '1m', candles: 7 * 1440 } });
    expect(r.data.to).toBe(Date.parse('2026-07-01T00:00:00Z'));
    expect(r.config).toMatchObject({ base_order: 50, take_profit: 1.5, cooldown: 900_000 });
    expect(r.metrics.initialEquity).toBe(710.34);
    expect(stages).toEqual(expect.arrayContaining(['data', 'simulate', 'chart']));
    expect([...out.png!.subarray(0, 8)]).toEqual(PNG);
    const stored = await new BacktestRunStore(db.prisma).recent(1, 1);
    expect(stored[0]).toMatchObject({ id: out.runId, strategy: 'dca', symbol: 'BTC/USDT', timeframe: '1m', from: r.data.from, to: r.data.to, dataSource: r.data.source });
    expect(stored[0]!.config).toMatchObject({ base_order: 50 });
    expect((stored[0]!.result as { metrics: { netProfit: number } }).metrics.netProfit).toBe(r.metrics.netProfit);
  });

  it('keeps one job per user, says so clearly, and lets others run meanwhile', async () => {
    const first = service.run(parseBacktestArgs(args('grid BTC/USDT 30d range_pct=5 investment=1000')), { userId: 7, chart: false });
    expect(service.busyWith(7)).toMatch(/a backtest \(grid BTC\/USDT 30d\)/);
    await expect(service.run(parseBacktestArgs(args('dca 7d')), { userId: 7 })).rejects.toThrow(BacktestBusyError);
    await expect(service.run(parseBacktestArgs(args('dca 7d')), { userId: 7 })).rejects.toThrow(/You already have a backtest \(grid BTC\/USDT 30d\) running/);
    const other = service.run(parseBacktestArgs(args('dca ETH/USDT 7d')), { userId: 8, chart: false });
    const [a, b] = await Promise.all([first, other]);
    expect(a.result.metrics.grid).not.toBeNull();
    expect(b.result.symbol).toBe('ETH/USDT');
    expect(service.busyWith(7)).toBeNull();
  });

  it('keeps the event loop free while a year of 1m candles is read and simulated', async () => {
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    try {
      const out = await service.run(parseBacktestArgs(args('grid BTC/USDT 2022-01-01..2023-01-01 tf=1m lower=16000 upper=48000 lines=20 investment=10000')), { userId: 9, chart: false });
      expect(out.result.data.candles).toBe(525_600);
    } finally {
      clearInterval(timer);
    }
    // Reading and parsing the 10 MB file alone takes over a second on this machine.
    expect(worst).toBeLessThan(400);
  });

  it('sweeps settings across both workers, ranks them, warns, and stores every run', async () => {
    const before = (await new BacktestRunStore(db.prisma).recent(100)).length;
    const progress: number[] = [];
    const out = await service.optimize(parseOptimizeArgs(args('grid BTC/USDT 30d investment=1000 lines=10..20:10 range_pct=4,8,12 metric=profit'), 6), { userId: 1, onProgress: (p) => progress.push(p.fraction) });
    expect(out.runs).toBe(6);
    expect(out.top.length).toBeLessThanOrEqual(5);
    const profits = out.top.map((t) => t.metrics!.netProfitPct);
    expect(profits).toEqual([...profits].sort((x, y) => y - x));
    expect(out.warning).toMatch(/overfitting/);
    expect(progress.at(-1)).toBe(1);
    expect(out.stored).toBe(6 - out.failed);
    expect((await new BacktestRunStore(db.prisma).recent(100)).length).toBe(before + out.stored);
    // Sweeping lower and upper replaces the preset's range_pct (else every run would be refused).
    const abs = await service.optimize(parseOptimizeArgs(args('grid 30d investment=1000 lower=55000,60000 upper=75000,80000'), 6), { userId: 1 });
    expect([abs.runs, abs.failed]).toEqual([4, 0]);
    expect(abs.top[0]!.config).not.toHaveProperty('range_pct');
    expect(() => parseOptimizeArgs(args('grid 30d lines=10..40:10 range_pct=4,8'), service.maxOptimizeRuns)).toThrow(/8 runs .* limit is 6/);
  });

  it('refuses what cannot run in one sentence', async () => {
    await expect(service.run(parseBacktestArgs(args('martingale 7d')), { userId: 2 })).rejects.toThrow(/Unknown strategy "martingale"; use one of grid, dca, hybrid, trend\./);
    await expect(service.run(parseBacktestArgs(args('dca DOGE/USDT 7d')), { userId: 2 })).rejects.toThrow(/Unknown market "DOGE\/USDT"/);
    await expect(service.run(parseBacktestArgs(args('grid BTC/USDT 7d lines=1')), { userId: 2 })).rejects.toThrow(RequestError);
    await expect(service.run(parseBacktestArgs(args('dca LUNA/USDT 7d base_order=5')), { userId: 2 })).rejects.toThrow(/base_order=5 USDT is below the exchange minimum order value of 10 USDT/);
    expect(service.busyWith(2)).toBeNull();
  });
});

describe('candles via the exchange port, cached in the database', () => {
  it('fetches in pages once, then reads the cache; partial overlap fetches only the new part', async () => {
    const now = Date.parse('2024-03-10T12:34:56Z');
    const clock = new ManualClock(now);
    const end = Date.parse('2024-03-10T12:34:00Z'); // the candle in progress (12:34) is left out
    const hole: [number, number] = [end - 100 * 60_000, end - 90 * 60_000];
    const src = new FakeCandles(hole);
    const cache = new CandleCacheStore(db.prisma);
    const deps = { marketDataDir: null, candles: src, cache, clock, allowSynthetic: false };
    const pages: number[] = [];
    const first = await resolveData(deps, BTC, period('2d'), '1m', (done) => pages.push(done));
    expect(first.kind).toBe('columns');
    if (first.kind !== 'columns') return;
    expect(first.to).toBe(end);
    expect(first.from).toBe(end - 2 * 86_400_000);
    expect(first.cols.length).toBe(2 * 1440 - 10);
    expect(src.calls).toHaveLength(Math.ceil(2880 / PAGE_CANDLES));
    expect(pages).toEqual([1, 2, 3]);
    expect(first.label).toBe('fakex candles via the exchange API');

    const second = await resolveData(deps, BTC, period('2d'), '1m');
    expect(src.calls).toHaveLength(3); // nothing fetched again, the gap included
    if (second.kind !== 'columns') throw new Error('columns expected');
    expect(second.label).toMatch(/\(from the cache\)/);
    expect(Array.from(second.cols.time)).toEqual(Array.from(first.cols.time));
    expect(Array.from(second.cols.close)).toEqual(Array.from(first.cols.close));

    clock.set(now + 3_600_000); // an hour later: only the new hour is fetched
    const third = await resolveData(deps, BTC, period('2d'), '1m');
    expect(src.calls.slice(3)).toEqual([[end, end + 3_600_000]]);
    if (third.kind !== 'columns') throw new Error('columns expected');
    expect(third.label).toMatch(/partly from the cache/);
    expect(third.cols.length).toBe(2 * 1440 - 10);
  });

});
