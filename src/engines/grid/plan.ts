/**
 * Turns grid settings plus the start price and the funds into concrete lines, or one sentence
 * saying why the grid cannot run on this market (spacing versus fees, exchange minimums).
 */
import type { MarketRules } from '../../exchange/types.js';
import { roundMoney } from '../../lib/precision.js';
import type { GridConfig, GridRange } from './config.js';
import { resolveRange } from './config.js';
import { lineAmount, linePrices, minInvestment, minLineAmount, nearestLine, spacingProblem } from './levels.js';

export type GridPlanInput = Pick<GridConfig, 'lower' | 'upper' | 'range_pct' | 'stop_loss' | 'take_profit' | 'stop_loss_pct' | 'take_profit_pct' | 'lines' | 'spacing' | 'profit_spread'>;

export interface GridPlan {
  range: GridRange;
  prices: number[];
  /** The line nearest the start price: it stays empty. */
  k: number;
  /** Base amount per line. */
  qty: number;
}

export interface Funds {
  /** Quote the grid may use. */
  quote: number;
  /** Base the grid holds. */
  base: number;
  /** How the investment is called in messages, e.g. 'investment'. */
  label: string;
}

const money = (v: number): string => String(roundMoney(v, 2));

/** The plan, or one sentence saying what is wrong. */
export function planGrid(c: GridPlanInput, rules: MarketRules, price: number, funds: Funds): GridPlan | string {
  const range = resolveRange(c, price);
  const prices = linePrices(range.lower, range.upper, c.lines, c.spacing, rules.tickSize);
  const spacing = spacingProblem(prices, rules, c.profit_spread);
  if (spacing !== null) return spacing;
  const k = nearestLine(prices, price);
  const value = funds.quote + funds.base * price;
  const qty = lineAmount(value, prices, k, price, rules);
  const minQ = minLineAmount(prices, rules);
  if (qty < minQ) {
    const need = minInvestment(prices, k, price, rules);
    const what = funds.base > 0 ? `${funds.label} plus the base (worth ${money(value)} ${rules.quote})` : `${funds.label}=${money(funds.quote)} ${rules.quote}`;
    return `${what} is below the minimum of ${money(Math.ceil(need * 100) / 100)} ${rules.quote} that ${c.lines} lines need at ${price} (each order must be at least ${rules.minAmount} ${rules.base} and ${rules.minNotional} ${rules.quote})`;
  }
  return { range, prices, k, qty };
}

/** The same checks for a settings screen: null when the grid can run at this price with this config. */
export function checkGrid(c: GridConfig, rules: MarketRules, price: number): string | null {
  const p = planGrid(c, rules, price, { quote: c.investment, base: c.base_investment, label: 'investment' });
  return typeof p === 'string' ? p : null;
}
