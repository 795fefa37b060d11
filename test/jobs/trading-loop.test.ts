import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCandleColumns } from '../../src/exchange/market-data/csv.js';
import { MemoryCandleSource } from '../../src/exchange/market-data/memory.js';
import { snapshotMarkets } from '../../src/exchange/markets/snapshot.js';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange.js';
import { TradingLoop } from '../../src/jobs/trading-loop.js';
import { ManualClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BotRepository } from '../../src/store/bots.js';
import type { DbClient } from '../../src/store/client.js';
import { openDatabase, type Database } from '../../src/store/index.js';
import { OrderRepository } from '../../src/store/orders.js';
import { RiskMonitor } from '../../src/trading/risk-monitor.js';
import type { AlertSink } from '../../src/trading/types.js';

const DATA = '../shared/data/binance_BTCUSDT_1m_2021-05-01_2021-06-01.csv';

const sink: AlertSink = {
  async enqueue(tx: DbClient, a) {
    await tx.outbox.createMany({ data: [{ chatId: 1n, kind: a.kind, text: a.text, botId: a.botId ?? null, dedupeKey: a.dedupeKey ?? null }], skipDuplicates: true });
  },
  wake() {},
};

describe('TradingLoop with several processes in mind', () => {
  let db: Database;
  let clock: ManualClock;
  let exchange: PaperExchange;
  let risk: RiskMonitor;
  let price = 0;
  beforeAll(async () => {
    db = await openDatabase('pglite:memory');
    const cols = await readCandleColumns(DATA);
    clock = new ManualClock(cols.time[0]! + 3_600_000);
    const source = new MemoryCandleSource(new Map([['BTC/USDT', { timeframe: '1m', columns: cols }]]), clock, { kind: 'replay', description: 'test' });
    exchange = await PaperExchange.open({ markets: snapshotMarkets(), clock, marketData: source, initialBalances: { USDT: 100_000 } });
    price = (await exchange.fetchTicker('BTC/USDT')).last;
    risk = new RiskMonitor(db.prisma, { daily_loss: 1e9, account_max_exposure: 1e9, max_drawdown: 99, time_zone: 'UTC' });
    const bots = new BotRepository(db.prisma);
    for (let i = 0; i < 3; i++) {
      await bots.create({ strategy: 'grid', symbol: 'BTC/USDT', mode: 'paper', config: { lower: Math.round(price * 0.96), upper: Math.round(price * 1.04), lines: 8, investment: 500 }, createdBy: 1, at: new Date(clock.now()) });
    }
  }, 60_000);
  afterAll(async () => {
    await exchange?.close();
    await db?.close();
  });

  const loopWith = (extra: Partial<ConstructorParameters<typeof TradingLoop>[0]> = {}) =>
    new TradingLoop({ prisma: db.prisma, exchange, clock, logger: silentLogger(), alerts: sink, risk, idPrefix: 'tloop', tickSeconds: 5, ...extra });

  const openOf = async (botId: number) => (await new OrderRepository(db.prisma).active(botId)).filter((o) => o.status === 'open').length;

  it('runs only the bots it owns, halts a bot another worker halted the account for, and reopens a bot whose config changed', async () => {
    const disowned: number[] = [];
    const loop = loopWith({
      owns: async (id) => (id === 2 ? null : new BotRepository(db.prisma).takeFence(id)),
      disown: async (id) => void disowned.push(id),
    });
    await loop.syncHere();
    expect(loop.held().sort()).toEqual([1, 3]);
    clock.advance(5_000);
    const first = await loop.runCycle();
    expect(first.errors).toBe(0);
    clock.advance(5_000);
    await loop.runCycle(); // the first tick buys the base the sell lines need; the grid follows
    expect(await openOf(1)).toBeGreaterThan(0);
    expect(await openOf(2)).toBe(0); // not ours

    // Another worker saw a breach first: the account's state is HALTED already when this loop looks.
    await risk.saveState({ version: 1, state: 'HALTED', breach: 'daily_loss', reason: 'the daily loss limit', since: clock.now(), until: clock.now() + 86_400_000, peakEquity: 0 });
    clock.advance(5_000);
    const halted = await loop.runCycle();
    expect(halted.riskState).toBe('HALTED');
    expect(await openOf(1)).toBe(0);
    expect(await openOf(3)).toBe(0);
    await risk.resume(clock.now());

    // A changed config takes effect through the recovery path, without a restart.
    const before = loop.runner(3);
    const cfg = (await new BotRepository(db.prisma).get(3))!.config as Record<string, unknown>;
    await db.prisma.bot.update({ where: { id: 3 }, data: { config: { ...cfg, lines: 6 } } });
    clock.advance(5_000);
    await loop.runCycle();
    expect(loop.runner(3)).not.toBe(before);
    expect((loop.runner(3)!.bot.config as { lines: number }).lines).toBe(6);

    // Released (lease lost): the runner goes and its lease is given back.
    await loop.release(1);
    expect(loop.held()).toEqual([3]);
    expect(disowned).toContain(1);
    await loop.stop();
  });

  it('halts a bot nobody runs (stopped since the halt was asked for): opens it, cancels, lets it go', async () => {
    const bots = new BotRepository(db.prisma);
    const loop = loopWith();
    await loop.syncHere(); // takes all three
    for (let i = 0; i < 2; i++) {
      clock.advance(5_000);
      await loop.runCycle();
    }
    expect(await openOf(2)).toBeGreaterThan(0);
    await bots.setStatus(2, 'stopped');
    await loop.syncHere();
    expect(loop.runner(2)).toBeUndefined();
    const other = loopWith(); // a second process
    const r = await other.haltDetached(2, false, 'stopped by the owner');
    expect(r?.cancelled).toBeGreaterThan(0);
    expect(await openOf(2)).toBe(0);
    expect(other.runner(2)).toBeUndefined();
    await loop.stop();
    await other.stop();
  });
});
