/**
 * The exchange contract: one suite, run against the paper exchange and against the live adapter
 * over the Binance emulator. Both must behave the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeError, type ExchangeErrorKind, type ExchangeErrorReason, type Candle } from '../../../src/exchange/types.js';
import type { Harness, HarnessFactory, HarnessOptions } from './harness.js';

const BTC = 'BTC/USDT';

async function expectError(p: Promise<unknown>, kind: ExchangeErrorKind, reason: ExchangeErrorReason): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ExchangeError(${kind}, ${reason})`).toBeInstanceOf(ExchangeError);
  expect({ kind: (err as ExchangeError).kind, reason: (err as ExchangeError).reason }).toEqual({ kind, reason });
}

export function minuteCandles(start: number, n: number, from = 30_000): Candle[] {
  return Array.from({ length: n }, (_, i) => {
    const open = from + i;
    return { time: start + i * 60_000, open, high: open + 5, low: open - 5, close: open + 1, volume: 1 + i / 1000 };
  });
}

export function exchangeContract(name: string, factory: HarnessFactory): void {
  describe(`exchange contract: ${name}`, () => {
    let h: Harness | undefined;
    const start = async (opts: Partial<HarnessOptions> = {}) => {
      h = await factory({ balances: { USDT: 10_000, BTC: 1 }, ...opts });
      return h;
    };
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('loads market rules with tick, step, minimums and fees', async () => {
      const { exchange } = await start();
      const m = await exchange.loadMarkets();
      expect(m.get(BTC)).toMatchObject({ id: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, stepSize: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 });
      expect(m.get('XRP/USDT')).toMatchObject({ tickSize: 0.0001, stepSize: 0.1, minNotional: 5 });
      await expectError(exchange.market('NOPE/USDT'), 'rejected', 'unknown_symbol');
      await expectError(exchange.createOrder({ clientOrderId: 'x1', symbol: 'NOPE/USDT', side: 'buy', type: 'limit', amount: 1, price: 1 }), 'rejected', 'unknown_symbol');
    });

    it('rounds amounts down to the step and prices toward the passive side, without float drift', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      const buy = await h.exchange.createOrder({ clientOrderId: 'r-buy', symbol: BTC, side: 'buy', type: 'limit', amount: 0.0012345, price: 29_000.009 });
      expect(buy).toMatchObject({ clientOrderId: 'r-buy', amount: 0.00123, price: 29_000, status: 'open', filled: 0, remaining: 0.00123 });
      const sell = await h.exchange.createOrder({ clientOrderId: 'r-sell', symbol: BTC, side: 'sell', type: 'limit', amount: 0.1 + 0.2, price: 31_000.001 });
      expect(String(sell.amount)).toBe('0.3');
      expect(sell.price).toBe(31_000.01);
      const open = await h.exchange.fetchOpenOrders(BTC);
      expect(open.map((o) => [o.clientOrderId, o.amount, o.price]).sort()).toEqual([
        ['r-buy', 0.00123, 29_000],
        ['r-sell', 0.3, 31_000.01],
      ]);
    });

    it('rejects orders below the minimum value or amount, and changes nothing', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      await expectError(h.exchange.createOrder({ clientOrderId: 'min1', symbol: BTC, side: 'buy', type: 'limit', amount: 0.0001, price: 30_000 }), 'rejected', 'below_minimum');
      await expectError(h.exchange.createOrder({ clientOrderId: 'min2', symbol: BTC, side: 'buy', type: 'limit', amount: 0.000004, price: 30_000 }), 'rejected', 'below_minimum');
      await expectError(h.exchange.createOrder({ clientOrderId: 'min3', symbol: BTC, side: 'sell', type: 'market', amount: 0.0001 }), 'rejected', 'below_minimum');
      expect(await h.exchange.fetchOrder(BTC, 'min1')).toBeNull();
      expect(await h.exchange.fetchOpenOrders(BTC)).toEqual([]);
      expect((await h.exchange.fetchBalance()).USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    });

    it('rejects orders without the funds, and changes nothing', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      await expectError(h.exchange.createOrder({ clientOrderId: 'f1', symbol: BTC, side: 'buy', type: 'limit', amount: 1, price: 29_000 }), 'rejected', 'insufficient_funds');
      await expectError(h.exchange.createOrder({ clientOrderId: 'f2', symbol: BTC, side: 'sell', type: 'limit', amount: 2, price: 31_000 }), 'rejected', 'insufficient_funds');
      await expectError(h.exchange.createOrder({ clientOrderId: 'f3', symbol: BTC, side: 'buy', type: 'market', amount: 0.5 }), 'rejected', 'insufficient_funds');
      expect(await h.exchange.fetchOrder(BTC, 'f1')).toBeNull();
      const b = await h.exchange.fetchBalance();
      expect(b.USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
      expect(b.BTC).toEqual({ free: 1, used: 0, total: 1 });
    });

    it('locks the balance of resting orders and releases it on cancel', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      await h.exchange.createOrder({ clientOrderId: 'lock1', symbol: BTC, side: 'buy', type: 'limit', amount: 0.01, price: 25_000 });
      await h.exchange.createOrder({ clientOrderId: 'lock2', symbol: BTC, side: 'sell', type: 'limit', amount: 0.25, price: 35_000 });
      let b = await h.exchange.fetchBalance();
      expect(b.USDT).toEqual({ free: 9_750, used: 250, total: 10_000 });
      expect(b.BTC).toEqual({ free: 0.75, used: 0.25, total: 1 });
      const c = await h.exchange.cancelOrder(BTC, 'lock1');
      expect(c).toMatchObject({ clientOrderId: 'lock1', status: 'canceled', filled: 0 });
      b = await h.exchange.fetchBalance();
      expect(b.USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    });

    it('finds orders by client order id, and null for an unknown one', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      const o = await h.exchange.createOrder({ clientOrderId: 'bot1-17', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_500 });
      const f = await h.exchange.fetchOrder(BTC, 'bot1-17');
      expect(f).toMatchObject({ id: o.id, clientOrderId: 'bot1-17', side: 'buy', type: 'limit', price: 29_500, amount: 0.001, status: 'open' });
      expect(await h.exchange.fetchOrder(BTC, 'bot1-18')).toBeNull();
      await expectError(h.exchange.createOrder({ clientOrderId: 'bot1-17', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_400 }), 'rejected', 'duplicate_client_order_id');
    });

    it('fills a resting limit only when price trades through it, as maker, fee in the received asset', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      await h.exchange.createOrder({ clientOrderId: 'thr', symbol: BTC, side: 'buy', type: 'limit', amount: 0.01, price: 29_000 });
      await h.price(BTC, 29_000);
      expect(await h.exchange.fetchOrder(BTC, 'thr')).toMatchObject({ status: 'open', filled: 0 });
      await h.price(BTC, 28_999.99);
      expect(await h.exchange.fetchOrder(BTC, 'thr')).toMatchObject({ status: 'filled', filled: 0.01, remaining: 0, average: 29_000 });
      const b = await h.exchange.fetchBalance();
      expect(b.BTC?.total).toBe(1.00999); // 0.01 - 0.1 % fee in BTC
      expect(b.USDT).toEqual({ free: 9_710, used: 0, total: 9_710 });
    });

    it('returns the final state when cancelling an order that already filled', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      await h.exchange.createOrder({ clientOrderId: 'cf', symbol: BTC, side: 'sell', type: 'limit', amount: 0.002, price: 30_500 });
      await h.price(BTC, 30_600);
      const c = await h.exchange.cancelOrder(BTC, 'cf');
      expect(c).toMatchObject({ clientOrderId: 'cf', status: 'filled', filled: 0.002, remaining: 0 });
      await expectError(h.exchange.cancelOrder(BTC, 'never-sent'), 'rejected', 'order_not_found');
    });

    it('reports partial fills capped by candle volume, and cancels keep the filled part', async () => {
      const h = await start({ volumeShare: 1 });
      await h.price(BTC, 29_500);
      await h.exchange.createOrder({ clientOrderId: 'pf', symbol: BTC, side: 'buy', type: 'limit', amount: 0.01, price: 29_000 });
      await h.candle(BTC, { open: 29_500, high: 29_600, low: 28_900, close: 29_400, volume: 0.004 });
      const o = await h.exchange.fetchOrder(BTC, 'pf');
      expect(o).toMatchObject({ status: 'partially_filled', filled: 0.004, remaining: 0.006, average: 29_000 });
      expect((await h.exchange.fetchOpenOrders(BTC)).map((x) => [x.clientOrderId, x.status, x.filled])).toEqual([['pf', 'partially_filled', 0.004]]);
      const c = await h.exchange.cancelOrder(BTC, 'pf');
      expect(c).toMatchObject({ status: 'canceled', filled: 0.004, remaining: 0.006 });
      const b = await h.exchange.fetchBalance();
      expect(b.USDT).toEqual({ free: 9_884, used: 0, total: 9_884 });
      expect(b.BTC?.total).toBe(1.003996);
    });

    it('keeps a trade history with prices, roles and fees', async () => {
      const h = await start();
      const since = h.now();
      await h.price(BTC, 30_000);
      await h.exchange.createOrder({ clientOrderId: 'th1', symbol: BTC, side: 'buy', type: 'limit', amount: 0.01, price: 29_900 });
      await h.price(BTC, 29_800);
      const m = await h.exchange.createOrder({ clientOrderId: 'th2', symbol: BTC, side: 'sell', type: 'market', amount: 0.005 });
      expect(m).toMatchObject({ status: 'filled', filled: 0.005, average: 29_800, price: null, type: 'market' });
      const trades = await h.exchange.fetchMyTrades(BTC, since);
      expect(trades.map((t) => ({ side: t.side, price: t.price, amount: t.amount, cost: t.cost, fee: t.fee, role: t.takerOrMaker }))).toEqual([
        { side: 'buy', price: 29_900, amount: 0.01, cost: 299, fee: { cost: 0.00001, currency: 'BTC' }, role: 'maker' },
        { side: 'sell', price: 29_800, amount: 0.005, cost: 149, fee: { cost: 0.149, currency: 'USDT' }, role: 'taker' },
      ]);
      const byOrder = new Map((await Promise.all(['th1', 'th2'].map((c) => h.exchange.fetchOrder(BTC, c)))).map((o) => [o!.id, o!.clientOrderId]));
      for (const t of trades) expect(byOrder.get(t.orderId)).toBeDefined();
      expect(trades[0]!.timestamp).toBeGreaterThanOrEqual(since);
      expect(await h.exchange.fetchMyTrades(BTC, h.now() + 60_000)).toEqual([]);
    });

    it('fills a marketable limit at once as taker, and refuses a post-only one that would take', async () => {
      const h = await start();
      await h.price(BTC, 30_000);
      const o = await h.exchange.createOrder({ clientOrderId: 'mk', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 31_000 });
      expect(o).toMatchObject({ status: 'filled', filled: 0.001, average: 30_000, price: 31_000 });
      await expectError(h.exchange.createOrder({ clientOrderId: 'po1', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 30_000, postOnly: true }), 'rejected', 'post_only_would_take');
      const po = await h.exchange.createOrder({ clientOrderId: 'po2', symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_000, postOnly: true });
      expect(po.status).toBe('open');
      const b = await h.exchange.fetchBalance();
      expect(b.USDT?.total).toBe(10_000 - 30);
      expect(b.BTC?.total).toBe(1.000999);
    });

    it('serves candles over long ranges in pages, ascending and without duplicates', async () => {
      const startAt = Math.floor(T0_FOR_HISTORY / 60_000) * 60_000 - 3_000 * 60_000;
      const candles = minuteCandles(startAt, 2_500);
      const h = await start({ history: { symbol: BTC, timeframe: '1m', candles } });
      const all = await h.exchange.fetchCandles(BTC, '1m', startAt, startAt + 2_500 * 60_000);
      expect(all).toHaveLength(2_500);
      expect(all[0]).toEqual(candles[0]);
      expect(all[2_499]).toEqual(candles[2_499]);
      for (let i = 1; i < all.length; i++) expect(all[i]!.time - all[i - 1]!.time).toBe(60_000);
      const part = await h.exchange.fetchCandles(BTC, '1m', startAt + 10 * 60_000, startAt + 20 * 60_000);
      expect(part.map((c) => c.time)).toEqual(candles.slice(10, 20).map((c) => c.time));
    });
  });
}

/** Histories end before the harnesses' clocks (paper: T0; live: now). */
export const T0_FOR_HISTORY = 1_700_000_040_000;
