/** Paper-exchange behaviour beyond the shared contract: slippage, modes, waiting orders, persistence. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryCandleSource } from '../../src/exchange/market-data/memory.js';
import { snapshotMarkets } from '../../src/exchange/markets/snapshot.js';
import { PaperExchange, type PaperExchangeOptions } from '../../src/exchange/paper/paper-exchange.js';
import { JsonFilePaperStateStore, MemoryPaperStateStore, paperSnapshotSchema } from '../../src/exchange/paper/state.js';
import { ManualClock } from '../../src/lib/clock.js';

const BTC = 'BTC/USDT';
const T = 1_700_000_040_000;
const open = (extra: Partial<PaperExchangeOptions> = {}) => PaperExchange.open({ markets: snapshotMarkets(), clock: new ManualClock(T), ...extra });
const tick = (p: number, ts = T) => ({ symbol: BTC, bid: p, ask: p, last: p, timestamp: ts });

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('paper exchange', () => {
  it('starts with 10,000 USDT by default', async () => {
    const p = await open();
    expect(await p.fetchBalance()).toEqual({ USDT: { free: 10_000, used: 0, total: 10_000 } });
    expect(p.mode).toBe('paper');
  });

  it('fills market orders at the price moved by the slippage, as taker', async () => {
    const p = await open({ slippage: 0.001 });
    await p.onTicker(tick(30_000));
    const buy = await p.createOrder({ clientOrderId: 'm1', symbol: BTC, side: 'buy', type: 'market', amount: 0.01 });
    expect(buy).toMatchObject({ status: 'filled', average: 30_030, fee: { cost: 0.00001, currency: 'BTC' } });
    const sell = await p.createOrder({ clientOrderId: 'm2', symbol: BTC, side: 'sell', type: 'market', amount: 0.005 });
    expect(sell).toMatchObject({ status: 'filled', average: 29_970, fee: { cost: 0.14985, currency: 'USDT' } });
  });

  it('in pessimistic mode needs a full tick through the limit', async () => {
    const p = await open({ pessimistic: true });
    await p.onTicker(tick(30_000));
    await p.createOrder({ clientOrderId: 'l1', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_000 });
    await p.onTicker(tick(28_999.995));
    expect((await p.fetchOrder(BTC, 'l1'))?.status).toBe('open');
    await p.onTicker(tick(28_999.99));
    expect((await p.fetchOrder(BTC, 'l1'))?.status).toBe('filled');
  });

  it('lets a market order wait for the next price when none is known, and rejects it then if unfunded', async () => {
    const p = await open({ initialBalances: { USDT: 100, BTC: 1 }, slippage: 0 });
    const sell = await p.createOrder({ clientOrderId: 'w1', symbol: BTC, side: 'sell', type: 'market', amount: 0.01 });
    expect(sell).toMatchObject({ status: 'open', filled: 0 });
    expect((await p.fetchBalance()).BTC).toEqual({ free: 0.99, used: 0.01, total: 1 });
    const buy = await p.createOrder({ clientOrderId: 'w2', symbol: BTC, side: 'buy', type: 'market', amount: 0.02 });
    expect(buy.status).toBe('open');
    await p.onCandle(BTC, { time: T, open: 30_000, high: 30_100, low: 29_900, close: 30_050, volume: 5 });
    expect(await p.fetchOrder(BTC, 'w1')).toMatchObject({ status: 'filled', average: 30_000 });
    expect(await p.fetchOrder(BTC, 'w2')).toMatchObject({ status: 'rejected', filled: 0 }); // needs 600 USDT, has 100 + 299.7 from w1
    expect((await p.fetchBalance()).USDT).toEqual({ free: 399.7, used: 0, total: 399.7 });
  });

  it('does not match an order against a candle that opened before it was placed', async () => {
    const clock = new ManualClock(T + 30_000);
    const p = await open({ clock });
    await p.onTicker(tick(30_000, T + 30_000));
    await p.createOrder({ clientOrderId: 'e1', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_500 });
    await p.onCandle(BTC, { time: T, open: 30_000, high: 30_000, low: 29_000, close: 29_900, volume: 5 });
    expect((await p.fetchOrder(BTC, 'e1'))?.status).toBe('open');
    await p.onCandle(BTC, { time: T + 60_000, open: 29_900, high: 29_900, low: 29_400, close: 29_600, volume: 5 });
    expect((await p.fetchOrder(BTC, 'e1'))?.status).toBe('filled');
  });

  it('persists balances, orders, trades and ids as plain JSON and restores them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paper-'));
    dirs.push(dir);
    for (const store of [new MemoryPaperStateStore(), new JsonFilePaperStateStore(join(dir, 'paper.json'))]) {
      const a = await open({ store, slippage: 0 });
      await a.onTicker(tick(30_000));
      await a.createOrder({ clientOrderId: 'p1', symbol: BTC, side: 'buy', type: 'market', amount: 0.01 });
      await a.createOrder({ clientOrderId: 'p2', symbol: BTC, side: 'buy', type: 'limit', amount: 0.01, price: 25_000 });
      await a.close();
      const snap = await store.load();
      expect(paperSnapshotSchema.parse(JSON.parse(JSON.stringify(snap)))).toEqual(snap);
      const b = await open({ store });
      expect((await b.fetchOpenOrders(BTC)).map((o) => o.clientOrderId)).toEqual(['p2']);
      expect(await b.fetchBalance()).toEqual({ BTC: { free: 0.00999, used: 0, total: 0.00999 }, USDT: { free: 9_450, used: 250, total: 9_700 } });
      expect((await b.fetchMyTrades(BTC, 0)).map((t) => t.clientOrderId)).toEqual(['p1']);
      const next = await b.createOrder({ clientOrderId: 'p3', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 25_000 });
      expect(next.id).toBe('3');
    }
  });

  it('matches on the closed candles of its market-data source as the clock moves', async () => {
    const clock = new ManualClock(T);
    const candles = Array.from({ length: 10 }, (_, i) => ({ time: T + i * 60_000, open: 100 - i, high: 101 - i, low: 99 - i, close: 100 - i - 0.5, volume: 10 }));
    const source = MemoryCandleSource.of({ 'SOL/USDT': { timeframe: '1m', candles } }, clock);
    const p = await open({ clock, marketData: source, slippage: 0 });
    expect((await p.fetchTicker('SOL/USDT')).last).toBe(100); // the open of the candle in progress
    await p.createOrder({ clientOrderId: 's1', symbol: 'SOL/USDT', side: 'buy', type: 'limit', amount: 1, price: 95 });
    clock.set(T + 5 * 60_000);
    expect((await p.fetchOrder('SOL/USDT', 's1'))?.status).toBe('open'); // lows so far: 99, 98, 97, 96, 95 (not through)
    clock.set(T + 6 * 60_000);
    expect(await p.fetchOrder('SOL/USDT', 's1')).toMatchObject({ status: 'filled', average: 95 });
    const [trade] = await p.fetchMyTrades('SOL/USDT', 0);
    expect(trade).toMatchObject({ price: 95, amount: 1, takerOrMaker: 'maker', timestamp: T + 5 * 60_000 });
  });

  it('applies each source candle once, even to concurrent callers', async () => {
    const clock = new ManualClock(T);
    const candles = Array.from({ length: 5 }, (_, i) => ({ time: T + i * 60_000, open: 100, high: 100, low: 90, close: 95, volume: 0.4 }));
    const source = MemoryCandleSource.of({ 'SOL/USDT': { timeframe: '1m', candles } }, clock);
    const p = await open({ clock, marketData: source, volumeShare: 1 });
    await p.createOrder({ clientOrderId: 'cc', symbol: 'SOL/USDT', side: 'buy', type: 'limit', amount: 2, price: 95 });
    clock.set(T + 3 * 60_000); // three candles closed since placement (the first opened with it): 1.2 fillable
    const seen = await Promise.all(Array.from({ length: 8 }, () => p.fetchOrder('SOL/USDT', 'cc')));
    expect(seen.map((o) => o?.filled)).toEqual(Array(8).fill(1.2));
    expect((await p.fetchOrder('SOL/USDT', 'cc'))?.filled).toBe(1.2);
  });
});
