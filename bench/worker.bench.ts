/**
 * worker.bots: how many paper grid bots one worker holds at a 5 s tick using under 25% of a core,
 * and tick.p99 (ms): the 99th percentile of one bot's tick at that load. PGlite (the default); with
 * TEST_DATABASE_URL also worker.bots.postgres / tick.p99.postgres (process CPU only: the PostgreSQL
 * server's own CPU is not counted).
 *
 * Method: N grid bots (10 lines each) on BTC/USDT, real 1m candles at real speed (a manual clock
 * advanced 5 s per cycle, so a candle closes every 12 cycles), the real TradingLoop, runners, risk
 * gate and database. After the grids are placed, 12 cycles are run back to back and the process CPU
 * per cycle is measured; a cycle must cost under 1,250 ms (25% of a 5 s tick). The cost is measured
 * at two sizes and fitted as fixed + per-bot; the size that fit predicts is measured and corrected in
 * proportion (at most three times); the value is the largest measured size within the budget.
 * The paper book is kept in memory here: saving the whole book to the database on every order is a
 * separate cost that grows with the book (see paper_book_save_ms) and is reported, not included.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { readCandleColumns, type CandleColumns } from '../src/exchange/market-data/csv.js';
import { MemoryCandleSource } from '../src/exchange/market-data/memory.js';
import { snapshotMarkets } from '../src/exchange/markets/snapshot.js';
import { PaperExchange } from '../src/exchange/paper/paper-exchange.js';
import type { PaperSnapshot } from '../src/exchange/paper/state.js';
import { TradingLoop } from '../src/jobs/trading-loop.js';
import { ManualClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { openDatabase } from '../src/store/index.js';
import { DbPaperStateStore } from '../src/store/paper-accounts.js';
import { RiskMonitor } from '../src/trading/risk-monitor.js';
import type { AlertSink } from '../src/trading/types.js';
import type { Benchmark, BenchResult } from './types.js';

const DATA = '../shared/data/binance_BTCUSDT_1m_2021-05-01_2021-06-01.csv';
const TICK_MS = 5_000;
const BUDGET_MS = 0.25 * TICK_MS;
const CYCLES = 12;

const sink: AlertSink = {
  async enqueue(tx, a) {
    await tx.outbox.createMany({ data: [{ chatId: 1n, kind: a.kind, text: a.text, botId: a.botId ?? null, dedupeKey: a.dedupeKey ?? null }], skipDuplicates: true });
  },
  wake() {},
};

interface Sample {
  bots: number;
  cpuMsPerCycle: number;
  wallMsPerCycle: number;
  tickP99: number;
  bookSaveMs: number;
}

/** A fresh, empty database per measurement. */
type Fresh = () => Promise<{ url: string; drop(): Promise<void> }>;

async function measure(fresh: Fresh, n: number, cols: CandleColumns): Promise<Sample> {
  const target = await fresh();
  const db = await openDatabase(target.url);
  let book: PaperSnapshot | null = null;
  try {
    const clock = new ManualClock(cols.time[0]! + 3_600_000);
    const source = new MemoryCandleSource(new Map([['BTC/USDT', { timeframe: '1m', columns: cols }]]), clock, { kind: 'replay', description: 'bench' });
    const store = { load: async () => null, save: async (s: PaperSnapshot) => void (book = s) };
    const exchange = await PaperExchange.open({ markets: snapshotMarkets(), clock, marketData: source, initialBalances: { USDT: 1e9 }, store });
    const price = (await exchange.fetchTicker('BTC/USDT')).last;
    const config = { lower: Math.round(price * 0.9), upper: Math.round(price * 1.1), lines: 10, investment: 1000 };
    await db.prisma.bot.createMany({ data: Array.from({ length: n }, () => ({ strategy: 'grid', symbol: 'BTC/USDT', mode: 'paper', config, createdBy: 1n, createdAt: new Date(clock.now()) })) });
    const risk = new RiskMonitor(db.prisma, { daily_loss: 1e12, account_max_exposure: 1e12, max_drawdown: 99, time_zone: 'UTC' });
    const loop = new TradingLoop({ prisma: db.prisma, exchange, clock, logger: silentLogger(), alerts: sink, risk, idPrefix: 'bench', tickSeconds: 5 });
    await loop.syncHere();
    for (let i = 0; i < 3; i++) {
      clock.advance(TICK_MS);
      await loop.runCycle();
    }
    const ticks: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      clock.advance(TICK_MS);
      const r = await loop.runCycle();
      for (const t of r.ticks) ticks.push(t.durationMs);
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    await loop.stop();
    await exchange.close();
    ticks.sort((a, b) => a - b);
    // What saving this book to the database once costs (the paper exchange does it on every order).
    const s0 = performance.now();
    if (book) await new DbPaperStateStore(db.prisma, 'paper:bench').save(book);
    const bookSaveMs = performance.now() - s0;
    return { bots: n, cpuMsPerCycle: (cpu.user + cpu.system) / 1000 / CYCLES, wallMsPerCycle: wall / CYCLES, tickP99: ticks[Math.floor(0.99 * (ticks.length - 1))] ?? 0, bookSaveMs };
  } finally {
    await db.close();
    await target.drop();
  }
}

async function capacity(url: Fresh, cols: CandleColumns): Promise<{ bots: number; check: Sample; perBotMs: number; fixedMs: number }> {
  const small = await measure(url, 50, cols);
  const large = await measure(url, 150, cols);
  const perBotMs = Math.max(0.01, (large.cpuMsPerCycle - small.cpuMsPerCycle) / (large.bots - small.bots));
  const fixedMs = Math.max(0, small.cpuMsPerCycle - perBotMs * small.bots);
  // From the fit, then up or down in proportion to the budget left, keeping the largest size that fits.
  let bots = Math.max(10, Math.floor((BUDGET_MS - fixedMs) / perBotMs));
  let best: Sample | null = null;
  for (let i = 0; i < 3; i++) {
    const s = await measure(url, bots, cols);
    if (s.cpuMsPerCycle <= BUDGET_MS && (!best || s.bots > best.bots)) best = s;
    const next = Math.max(10, Math.floor((bots * 0.97 * BUDGET_MS) / s.cpuMsPerCycle));
    if (Math.abs(next - bots) / bots < 0.05) break;
    bots = Math.min(next, bots * 3);
  }
  best ??= await measure(url, 10, cols);
  return { bots: best.bots, check: best, perBotMs, fixedMs };
}

async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

async function results(suffix: string, url: Fresh, database: string, cols: CandleColumns): Promise<BenchResult[]> {
  // BENCH_WORKER_BOTS=n: measure that many bots only (is n within the budget, and what does a cycle cost).
  const fixed = Number(process.env.BENCH_WORKER_BOTS ?? 0);
  const c = fixed > 0 ? { bots: fixed, check: await measure(url, fixed, cols), perBotMs: NaN, fixedMs: NaN } : await capacity(url, cols);
  const detail = {
    database,
    tick_seconds: 5,
    core_share: round(c.check.cpuMsPerCycle / TICK_MS, 3),
    cpu_ms_per_cycle: round(c.check.cpuMsPerCycle),
    cpu_ms_per_bot_tick: round(c.perBotMs),
    cpu_ms_fixed_per_cycle: round(c.fixedMs),
    wall_ms_per_cycle: round(c.check.wallMsPerCycle),
    paper_book_save_ms: round(c.check.bookSaveMs),
    note: 'idle-dominated grid ticks; cost is database round trips per bot tick; paper book persistence not included',
  };
  return [
    { bench: `worker.bots${suffix}`, value: c.bots, unit: 'bots', target: 1000, ...detail },
    { bench: `tick.p99${suffix}`, value: round(c.check.tickP99, 1), unit: 'ms', bots: c.bots, database },
  ];
}

const worker: Benchmark = {
  names: ['worker.bots', 'tick.p99', 'worker.bots.postgres', 'tick.p99.postgres'],
  async run() {
    const cols = await readCandleColumns(DATA);
    const out = await results('', async () => ({ url: 'pglite:memory', drop: async () => undefined }), 'pglite', cols);
    const base = process.env.TEST_DATABASE_URL;
    if (base) {
      let k = 0;
      const fresh: Fresh = async () => {
        const name = `bench_worker_${Date.now()}_${k++}`;
        await admin(base, `CREATE DATABASE ${name}`);
        const u = new URL(base);
        u.pathname = `/${name}`;
        return { url: u.toString(), drop: () => admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
      };
      out.push(...(await results('.postgres', fresh, 'postgres', cols)));
    }
    return out;
  },
};

export default [worker];
