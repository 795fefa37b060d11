/**
 * One small case checked by hand: a DCA deal with no safety orders on the first minutes of
 * May 2021 (real Binance candles), every number worked out from the rules on paper (Python's
 * Decimal was used to check the arithmetic):
 *
 *   candle 0 (2021-05-01 00:00) closes at 57545.06; the deal opens at that close.
 *   base order 100 USDT -> amount floor(100 / 57545.06, step 0.00001) = 0.00173 BTC
 *   market buy at ceil(57545.06 * 1.0005, tick 0.01) = 57573.84; cost 0.00173 * 57573.84 = 99.6027432
 *   fee 0.1 % in BTC: floor(0.00173 * 0.001, 1e-8) = 0.00000173 -> held 0.00172827 BTC
 *   average entry 99.6027432 / 0.00172827 = 57631.4714...; take-profit +0.5 %:
 *   ceil(57631.4714 * 1.005, 0.01) = 57919.63, for floor(0.00172827, 0.00001) = 0.00172 BTC
 *   first candle whose high trades THROUGH 57919.63: candle 9 (00:09, high 57920)
 *   sale 0.00172 * 57919.63 = 99.6217636; fee floor(99.6217636 * 0.001, 1e-8) = 0.09962176 USDT
 *   cost basis of the part sold 99.6027432 * 0.00172 / 0.00172827 = 99.12613093...
 *   profit = 99.6217636 - 0.09962176 - 99.12613093 = 0.39601091 USDT
 *   the next deal opens at candle 9's close 57869.54: ceil(57869.54 * 1.0005, 0.01) = 57898.48
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engines/registry.js';
import { simulate } from '../../src/backtest/simulator.js';
import { FILES, rulesOf, window } from './helpers/data.js';

const BTC = rulesOf('BTC/USDT');
const T0 = Date.parse('2021-05-01T00:00:00Z');

describe('a DCA deal worked out by hand', () => {
  it('fills, fees and profit match the hand calculation', async () => {
    const cols = await window(FILES.btc2021may1m, '2021-05-01', '2021-05-02');
    expect(cols.close[0]).toBe(57545.06);
    const engine = createEngine('dca', { base_order: 100, safety_order: 10, max_safety_orders: 0, take_profit: 0.5 }, BTC, { price: cols.open[0]! });
    if (!engine.ok) throw new Error(engine.error);
    // Budget: 100 * (1 + 0.1 % taker fee + 0.5 % reserve for slippage) = 100.6 USDT.
    const sim = simulate({
      engine: engine.value, rules: BTC, cols, start: 0, end: 60, tfMs: 60_000, funds: { quote: 100.6, base: 0 },
      exchange: { slippage: 0.0005, pessimistic: false, volumeShare: null }, sampleMs: 3_600_000, keepFills: true,
    });
    const [buy, sell, next] = sim.fills;
    expect(buy).toMatchObject({ side: 'buy', price: 57573.84, amount: 0.00173, fee: 0.00000173, feeCurrency: 'BTC', maker: false, time: T0 + 60_000 });
    expect(sell).toMatchObject({ side: 'sell', price: 57919.63, amount: 0.00172, fee: 0.09962176, feeCurrency: 'USDT', maker: true, time: T0 + 9 * 60_000 });
    expect(next).toMatchObject({ side: 'buy', price: 57898.48, maker: false, time: T0 + 10 * 60_000 });
    expect(sim.ledger.trades[0]).toEqual({ time: T0 + 10 * 60_000, profit: 0.39601091, reason: 'take_profit' });
    // The account after the first deal, before the second: 100.6 - 99.6027432 + 99.6217636 - 0.09962176.
    const quoteAfterFirst = 100.6 - 99.6027432 + 99.6217636 - 0.09962176;
    expect(quoteAfterFirst).toBeCloseTo(100.51939864, 8);
    // Every later fill moves the quote by its value (sells net of their fee): the ledger adds up.
    const later = sim.fills.slice(2).reduce((q, f) => q + (f.side === 'sell' ? f.price * f.amount - f.fee : -f.price * f.amount), 0);
    expect(sim.finalQuote).toBeCloseTo(quoteAfterFirst + later, 6);
  });

  it('a candle that only touches the take-profit does not fill it', async () => {
    const cols = await window(FILES.btc2021may1m, '2021-05-01', '2021-05-02');
    // Take-profit 57919.63 (above); a candle whose high is exactly 57919.63 must not fill it.
    const touched = { ...cols, high: cols.high.slice(), low: cols.low.slice(), close: cols.close.slice(), open: cols.open.slice() };
    for (let i = 1; i < 60; i++) touched.high[i] = Math.min(touched.high[i]!, 57919.63);
    for (let i = 1; i < 60; i++) {
      touched.close[i] = Math.min(touched.close[i]!, touched.high[i]!);
      touched.open[i] = Math.min(touched.open[i]!, touched.high[i]!);
    }
    const engine = createEngine('dca', { base_order: 100, safety_order: 10, max_safety_orders: 0, take_profit: 0.5 }, BTC, { price: cols.open[0]! });
    if (!engine.ok) throw new Error(engine.error);
    const sim = simulate({
      engine: engine.value, rules: BTC, cols: touched, start: 0, end: 60, tfMs: 60_000, funds: { quote: 100.6, base: 0 },
      exchange: { slippage: 0.0005, pessimistic: false, volumeShare: null }, sampleMs: 3_600_000, keepFills: true,
    });
    expect(sim.fills.map((f) => f.side)).toEqual(['buy']);
  });
});
