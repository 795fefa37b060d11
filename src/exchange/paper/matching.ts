/**
 * Pure matching rules of the paper exchange, shared with the backtest simulator and the Binance
 * emulator: no I/O, no clock, no state. Prices and amounts are on the market's grid.
 *
 * - Intra-candle price path: open; then high, low for a down candle (close < open), otherwise low,
 *   high; then close (BBGO's convention).
 * - A resting limit order fills only when price trades THROUGH it (a buy needs a price strictly
 *   below its limit); the pessimistic mode demands one full tick beyond. It fills at its own
 *   price as a maker, gaps included.
 * - Market orders fill at the next price, moved against the taker by the slippage.
 * - Optional cap: at most `volumeCap` base units fill per candle (e.g. a share of its volume),
 *   handed out in the order the path meets the orders (time priority among equal prices).
 */
import { ceilToStep, floorToStep, roundMoney, roundToStep } from '../../lib/precision.js';
import type { Candle, Fee, Side } from '../types.js';

export type CandlePath = readonly [number, number, number, number];

export function candlePath(c: Candle): CandlePath {
  return c.close < c.open ? [c.open, c.high, c.low, c.close] : [c.open, c.low, c.high, c.close];
}

/** Does a trade at `price` go through a resting limit order at `limit`? */
export function tradesThrough(side: Side, limit: number, price: number, tickSize: number, pessimistic = false): boolean {
  if (side === 'buy') return pessimistic ? price <= roundToStep(limit - tickSize, tickSize) : price < limit;
  return pessimistic ? price >= roundToStep(limit + tickSize, tickSize) : price > limit;
}

/** A limit order placed while the market is at bid/ask that would take liquidity at once. */
export function isMarketable(side: Side, limit: number, bid: number, ask: number): boolean {
  return side === 'buy' ? limit >= ask : limit <= bid;
}

/** Fill price of a market order against a reference price, moved against the taker, on the tick grid. */
export function marketFillPrice(side: Side, reference: number, slippage: number, tickSize: number): number {
  if (side === 'buy') return ceilToStep(reference * (1 + slippage), tickSize);
  const p = floorToStep(reference * (1 - slippage), tickSize);
  return p > 0 ? p : tickSize;
}

/** Fee of a fill, charged in the asset received (base for a buy, quote for a sell), truncated to 8 decimals. */
export function fillFee(side: Side, amount: number, price: number, rate: number, base: string, quote: string): Fee {
  return side === 'buy'
    ? { cost: floorToStep(amount * rate, 1e-8), currency: base }
    : { cost: floorToStep(roundMoney(amount * price) * rate, 1e-8), currency: quote };
}

export interface RestingOrder {
  id: string;
  side: Side;
  price: number;
  remaining: number;
}

export interface MatchOptions {
  tickSize: number;
  stepSize: number;
  pessimistic?: boolean;
  /** Max base amount that fills in this candle across all orders; null/undefined = no cap. */
  volumeCap?: number | null;
}

export interface LimitFill {
  id: string;
  price: number;
  amount: number;
  /** Where on the path it filled: 0 = at the open, 1..3 = the legs toward path[1..3]. */
  leg: number;
}

/** Fills of resting limit orders in one candle, in the order the price path meets them. */
export function matchCandle(orders: readonly RestingOrder[], candle: Candle, opts: MatchOptions): LimitFill[] {
  const path = candlePath(candle);
  const pess = opts.pessimistic ?? false;
  const hits: { o: RestingOrder; leg: number; seq: number }[] = [];
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i]!;
    if (o.remaining <= 0) continue;
    // Quick reject on the extreme the order needs.
    if (!tradesThrough(o.side, o.price, o.side === 'buy' ? candle.low : candle.high, opts.tickSize, pess)) continue;
    for (let leg = 0; leg < 4; leg++) {
      if (tradesThrough(o.side, o.price, path[leg]!, opts.tickSize, pess)) {
        hits.push({ o, leg, seq: i });
        break;
      }
    }
  }
  hits.sort((a, b) => a.leg - b.leg || encounterOrder(a.o, b.o) || a.seq - b.seq);
  let cap = opts.volumeCap ?? Infinity;
  const fills: LimitFill[] = [];
  for (const h of hits) {
    if (cap <= 0) break;
    const amount = cap === Infinity ? h.o.remaining : floorToStep(Math.min(h.o.remaining, cap), opts.stepSize);
    if (amount <= 0) break;
    fills.push({ id: h.o.id, price: h.o.price, amount, leg: h.leg });
    if (cap !== Infinity) cap = roundMoney(cap - amount, 12);
  }
  return fills;
}

/** Within one leg, price reaches the nearest orders first: higher buys before lower ones, lower sells first. */
function encounterOrder(a: RestingOrder, b: RestingOrder): number {
  if (a.side !== b.side) return 0;
  return a.side === 'buy' ? b.price - a.price : a.price - b.price;
}

/** A point price (a ticker) as a candle of one price, for matching. */
export function pointCandle(time: number, price: number): Candle {
  return { time, open: price, high: price, low: price, close: price, volume: 0 };
}
