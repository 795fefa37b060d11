/** The pure matching rules shared by the paper exchange, the emulator and backtests. */
import { describe, expect, it } from 'vitest';
import { candlePath, fillFee, isMarketable, marketFillPrice, matchCandle, tradesThrough, type RestingOrder } from '../../src/exchange/paper/matching.js';

const c = (open: number, high: number, low: number, close: number, volume = 100) => ({ time: 0, open, high, low, close, volume });
const opts = { tickSize: 0.01, stepSize: 0.001 };

describe('matching rules', () => {
  it('walks a down candle open-high-low-close and an up candle open-low-high-close', () => {
    expect(candlePath(c(100, 110, 90, 95))).toEqual([100, 110, 90, 95]);
    expect(candlePath(c(100, 110, 90, 105))).toEqual([100, 90, 110, 105]);
    expect(candlePath(c(100, 110, 90, 100))).toEqual([100, 90, 110, 100]);
  });

  it('fills a limit only when price trades through it; the pessimistic mode needs one tick more', () => {
    expect(tradesThrough('buy', 100, 100, 0.01)).toBe(false);
    expect(tradesThrough('buy', 100, 99.99, 0.01)).toBe(true);
    expect(tradesThrough('sell', 100, 100.01, 0.01)).toBe(true);
    expect(tradesThrough('buy', 100, 99.99, 0.01, true)).toBe(true);
    expect(tradesThrough('buy', 100, 99.995, 0.01, true)).toBe(false);
    expect(tradesThrough('sell', 100, 100.005, 0.01, true)).toBe(false);
    // 0.3 - 0.1 is 0.19999999999999998 in floats: the grid still decides.
    expect(tradesThrough('buy', 0.3, 0.2, 0.1, true)).toBe(true);
  });

  it('orders fills as the path meets them, at the limit price, as makers', () => {
    const orders: RestingOrder[] = [
      { id: 'buy95', side: 'buy', price: 95, remaining: 1 },
      { id: 'sell105', side: 'sell', price: 105, remaining: 1 },
      { id: 'buy99', side: 'buy', price: 99, remaining: 1 },
      { id: 'sell120', side: 'sell', price: 120, remaining: 1 },
    ];
    // Down candle: high first, so the sell fills before the buys; higher buys before lower ones.
    expect(matchCandle(orders, c(100, 110, 90, 95), opts).map((f) => [f.id, f.price, f.leg])).toEqual([
      ['sell105', 105, 1],
      ['buy99', 99, 2],
      ['buy95', 95, 2],
    ]);
    // Up candle: low first.
    expect(matchCandle(orders, c(100, 110, 90, 105), opts).map((f) => f.id)).toEqual(['buy99', 'buy95', 'sell105']);
    // A gap through the order fills at the open, at the order's own price.
    expect(matchCandle([{ id: 'g', side: 'buy', price: 99, remaining: 1 }], c(97, 98, 96, 97.5), opts)).toEqual([{ id: 'g', price: 99, amount: 1, leg: 0 }]);
  });

  it('shares a volume cap in path order, with time priority at equal prices, on the step grid', () => {
    const orders: RestingOrder[] = [
      { id: 'first', side: 'buy', price: 99, remaining: 0.6 },
      { id: 'second', side: 'buy', price: 99, remaining: 0.6 },
      { id: 'deeper', side: 'buy', price: 98, remaining: 1 },
    ];
    const fills = matchCandle(orders, c(100, 101, 97, 100), { ...opts, volumeCap: 1.0004 });
    expect(fills.map((f) => [f.id, f.amount])).toEqual([
      ['first', 0.6],
      ['second', 0.4],
    ]);
  });

  it('prices market orders against the taker and charges fees in the received asset', () => {
    expect(marketFillPrice('buy', 100, 0.001, 0.01)).toBe(100.1);
    expect(marketFillPrice('sell', 100, 0.001, 0.01)).toBe(99.9);
    expect(marketFillPrice('buy', 100.004, 0, 0.01)).toBe(100.01);
    expect(isMarketable('buy', 101, 99, 100)).toBe(true);
    expect(isMarketable('sell', 101, 100, 100.5)).toBe(false);
    expect(fillFee('buy', 0.5, 30_000, 0.001, 'BTC', 'USDT')).toEqual({ cost: 0.0005, currency: 'BTC' });
    expect(fillFee('sell', 0.5, 30_000, 0.001, 'BTC', 'USDT')).toEqual({ cost: 15, currency: 'USDT' });
  });
});
