import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readCandleColumns, toCandles } from '../../src/exchange/market-data/csv.js';
import { MemoryCandleSource } from '../../src/exchange/market-data/memory.js';
import { snapshotMarkets } from '../../src/exchange/markets/snapshot.js';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange.js';
import type { Candle } from '../../src/exchange/types.js';
import { ManualClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BotRepository } from '../../src/store/bots.js';
import type { DbClient } from '../../src/store/client.js';
import { FillRepository } from '../../src/store/fills.js';
import { openDatabase, type Database } from '../../src/store/index.js';
import { OrderRepository } from '../../src/store/orders.js';
import { BotRunner, type AccountRisk, type RunnerDeps } from '../../src/trading/runner.js';
import type { AlertSink } from '../../src/trading/types.js';

const DATA = '../shared/data/binance_BTCUSDT_1m_2022-01-01_2023-01-01.csv.gz';
const RISK: AccountRisk = { state: 'ACTIVE', limits: { sl_cooldown: 0, time_zone: 'UTC', on_halt: 'cancel' }, accountExposure: 0 };

const outboxSink: AlertSink = {
  async enqueue(tx: DbClient, a) {
    await tx.outbox.createMany({ data: [{ chatId: 1n, kind: a.kind, text: a.text, botId: a.botId ?? null, dedupeKey: a.dedupeKey ?? null }], skipDuplicates: true });
  },
  wake() {},
};

describe('BotRunner on the paper exchange with real candles', () => {
  let db: Database;
  let candles: Candle[];
  beforeAll(async () => {
    db = await openDatabase('pglite:memory');
    const cols = await readCandleColumns(DATA);
    candles = toCandles(cols, 0, 3 * 1440); // three days of 1m candles
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('trades a grid, records every fill once, and survives crashes between ticks', async () => {
    const clock = new ManualClock(candles[0]!.time);
    const source = MemoryCandleSource.of({ 'BTC/USDT': { timeframe: '1m', candles } }, clock);
    const exchange = await PaperExchange.open({ markets: snapshotMarkets(), clock, marketData: source, initialBalances: { USDT: 10_000 } });
    const deps: RunnerDeps = { prisma: db.prisma, exchange, clock, logger: silentLogger(), alerts: outboxSink, idPrefix: 'ttest1' };
    const bots = new BotRepository(db.prisma);
    clock.advance(120_000);
    const bot = await bots.create({
      strategy: 'grid',
      symbol: 'BTC/USDT',
      mode: 'paper',
      config: { lower: 45_000, upper: 48_500, lines: 12, investment: 1000 },
      createdBy: 1,
      at: new Date(clock.now()),
    });
    let fence = await bots.takeFence(bot.id);
    let runner = await BotRunner.open((await bots.get(bot.id))!, fence, deps);
    let ticks = 0;
    let crashes = 0;
    while (clock.now() < candles.at(-1)!.time) {
      clock.advance(5 * 60_000);
      await runner.tick(RISK);
      ticks++;
      if (ticks % 97 === 0) {
        // A crash: the process state is gone; a new runner starts from the database.
        crashes++;
        fence = await bots.takeFence(bot.id);
        runner = await BotRunner.open((await bots.get(bot.id))!, fence, deps);
      }
    }
    expect(crashes).toBeGreaterThanOrEqual(8);

    const fills = await new FillRepository(db.prisma).byBot(bot.id);
    const trades = (await exchange.fetchMyTrades('BTC/USDT', 0)).filter((t) => t.clientOrderId?.startsWith('ttest1-'));
    expect(fills.length).toBeGreaterThan(10);
    // Every exchange trade of the bot is stored exactly once.
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
    expect(fills.map((f) => f.tradeId).sort()).toEqual(trades.map((t) => t.id).sort());

    // The orders the database thinks are open are exactly the exchange's open orders.
    const dbOpen = (await new OrderRepository(db.prisma).active(bot.id)).map((o) => o.clientOrderId).sort();
    const exOpen = (await exchange.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId).sort();
    expect(dbOpen).toEqual(exOpen);
    // No client order id was ever sent twice (the paper exchange keeps every order it saw).
    const orders = await db.prisma.order.findMany({ where: { botId: bot.id } });
    expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
    // The engine's view of its holdings matches the fills.
    const base = fills.reduce((s, f) => s + (f.side === 'buy' ? f.amount - (f.feeCurrency === 'BTC' ? f.fee : 0) : -f.amount), 0);
    expect(runner.engine.balances().base).toBeCloseTo(base, 8);
  }, 120_000);

  it("an owner's halt right after a fill leaves no order the database thinks is open", async () => {
    const clock = new ManualClock(candles[0]!.time);
    const source = MemoryCandleSource.of({ 'BTC/USDT': { timeframe: '1m', candles } }, clock);
    const exchange = await PaperExchange.open({ markets: snapshotMarkets(), clock, marketData: source, initialBalances: { USDT: 10_000 } });
    // A database of its own: a new paper exchange numbers its trades from 1 again.
    const own = await openDatabase('pglite:memory');
    onTestFinished(() => own.close());
    const deps: RunnerDeps = { prisma: own.prisma, exchange, clock, logger: silentLogger(), alerts: outboxSink, idPrefix: 'ttest2' };
    const bots = new BotRepository(own.prisma);
    clock.advance(120_000);
    const bot = await bots.create({
      strategy: 'grid', symbol: 'BTC/USDT', mode: 'paper', config: { lower: 45_000, upper: 48_500, lines: 12, investment: 1000 }, createdBy: 1, at: new Date(clock.now()),
    });
    const runner = await BotRunner.open((await bots.get(bot.id))!, await bots.takeFence(bot.id), deps);
    // Tick until the grid rests on the book.
    for (let i = 0; i < 10 && (await exchange.fetchOpenOrders('BTC/USDT')).length === 0; i++) {
      clock.advance(60_000);
      await runner.tick(RISK);
    }
    const resting = (await exchange.fetchOpenOrders('BTC/USDT')).length;
    expect(resting).toBeGreaterThan(2);
    // The market moves until a resting grid order fills, with no tick in between.
    for (let m = 0; m < 2 * 1440 && (await exchange.fetchOpenOrders('BTC/USDT')).length === resting; m++) clock.advance(60_000);
    expect((await exchange.fetchOpenOrders('BTC/USDT')).length).toBe(resting - 1);
    const r = await runner.control('halt', false, 'emergency stop by the owner', { ...RISK, state: 'HALTED' });
    expect(r.cancelled).toBeGreaterThan(0);
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await new OrderRepository(own.prisma).active(bot.id)).map((o) => `${o.clientOrderId} ${o.status}`)).toEqual([]);
  }, 60_000);
});
