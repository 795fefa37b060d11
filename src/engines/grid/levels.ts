/**
 * Grid arithmetic: line prices, the spacing-versus-fee rule, the size of one line's order and the
 * smallest investment the exchange minimums allow. Pure functions of numbers and market rules.
 */
import type { MarketRules } from '../../exchange/types.js';
import { ceilToStep, floorToStep, roundMoney, roundToStep } from '../../lib/precision.js';
import { MARKET_SLIPPAGE } from '../core/context.js';

export type Spacing = 'arithmetic' | 'geometric';

/** Line prices from lower to upper (inclusive), snapped to the tick. */
export function linePrices(lower: number, upper: number, lines: number, spacing: Spacing, tick: number): number[] {
  const out: number[] = [];
  const n = lines - 1;
  for (let i = 0; i <= n; i++) {
    const raw = spacing === 'arithmetic' ? lower + ((upper - lower) * i) / n : lower * Math.pow(upper / lower, i / n);
    out.push(roundToStep(raw, tick));
  }
  return out;
}

/** Smallest gap between two neighbouring lines, as a fraction of the lower one. */
export function minSpacing(prices: readonly number[]): number {
  let min = Infinity;
  for (let i = 1; i < prices.length; i++) {
    const a = prices[i - 1]!;
    const b = prices[i]!;
    const g = (b - a) / a;
    if (g < min) min = g;
  }
  return min;
}

const pctText = (f: number): string => `${roundMoney(f * 100, 2).toFixed(2)}%`;

/**
 * Why these lines cannot trade profitably, or null. Zero or negative gaps (lines closer than the
 * tick) loop forever; a gap must beat a buy fee plus a sell fee.
 */
export function spacingProblem(prices: readonly number[], rules: MarketRules, profitSpread?: number): string | null {
  const gap = minSpacing(prices);
  if (!(gap > 0)) return `lines=${prices.length} are closer together than the price tick ${rules.tickSize}: use fewer lines or a wider range`;
  const twoFees = 2 * rules.makerFee;
  if (gap <= twoFees) return `spacing ${pctText(gap)} per line does not beat twice the fee (${pctText(twoFees)}): use fewer lines or a wider range`;
  if (profitSpread !== undefined && profitSpread / 100 <= twoFees) {
    return `profit_spread=${profitSpread}% does not beat twice the fee (${pctText(twoFees)})`;
  }
  return null;
}

/** Index of the line nearest to the price (ties go to the lower line). */
export function nearestLine(prices: readonly number[], price: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < prices.length; i++) {
    const d = Math.abs(prices[i]! - price);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Smallest per-line amount that keeps every future order (buy, and its sell after a base fee) above the minimums. */
export function minLineAmount(prices: readonly number[], rules: MarketRules): number {
  const lowest = prices[0]!;
  const m = ceilToStep(Math.max(rules.minAmount, rules.minNotional / lowest), rules.stepSize);
  return ceilToStep(m / (1 - rules.makerFee), rules.stepSize);
}

/** Quote value each line needs per unit of base: buy lines at their price, sell lines at the start price. */
export function sizingDenominator(prices: readonly number[], k: number, price: number): number {
  let d = 0;
  for (let i = 0; i < prices.length; i++) {
    if (i < k) d += prices[i]!;
    else if (i > k) d += price;
  }
  return d;
}

/**
 * Share of the value kept aside: the start-up market buy is grossed up for its fee in base and
 * reserved with the taker fee and slippage (about 2 taker fees + slippage); limit buys reserve
 * their maker fee. A little more than the larger of the two.
 */
export const startMargin = (rules: MarketRules): number => Math.max(rules.makerFee, 2 * rules.takerFee + MARKET_SLIPPAGE) + 0.001;

/** Base amount per line for a total value (quote + base at the price). */
export function lineAmount(value: number, prices: readonly number[], k: number, price: number, rules: MarketRules): number {
  const d = sizingDenominator(prices, k, price);
  if (!(d > 0)) return 0;
  return floorToStep((value * (1 - startMargin(rules))) / d, rules.stepSize);
}

/** The smallest total value (in quote) that funds every line at the exchange minimum. */
export function minInvestment(prices: readonly number[], k: number, price: number, rules: MarketRules): number {
  const d = sizingDenominator(prices, k, price);
  const q = minLineAmount(prices, rules);
  // One extra step per line absorbs the flooring of lineAmount.
  return ((q + rules.stepSize) * d) / (1 - startMargin(rules));
}
