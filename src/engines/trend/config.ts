/** Trend follower settings: EMA cross entries, ATR stops and targets, long only (spot). */
import { z } from 'zod';
import type { MarketRules } from '../../exchange/types.js';
import { roundMoney } from '../../lib/precision.js';
import { bool, num, oneOf, pct, positive, settings } from '../config/fields.js';

export const trendShape = {
  investment: positive('investment'),
  timeframe: oneOf('timeframe', ['1m', '5m', '15m', '1h', '4h', '1d']).default('1h'),
  fast: num('fast', { int: true, min: 2, max: 200 }).default(12),
  slow: num('slow', { int: true, min: 3, max: 400 }).default(26),
  atr_period: num('atr_period', { int: true, min: 2, max: 100 }).default(14),
  stop_atr: num('stop_atr', { gt: 0, max: 20 }).default(2),
  target_atr: num('target_atr', { gt: 0, max: 50 }).default(3),
  partial_pct: pct('partial_pct', { min: 0, max: 100 }).default(50),
  trail_atr: num('trail_atr', { gt: 0, max: 20 }).default(3),
  breakeven_after_partial: bool('breakeven_after_partial').default(true),
  exit_on_cross: bool('exit_on_cross').default(true),
};

export const trendSchema = settings('trend', trendShape).superRefine((v, ctx) => {
  if (v.fast >= v.slow) ctx.addIssue({ code: 'custom', path: ['fast'], message: `fast=${v.fast} must be below slow=${v.slow}` });
});

export type TrendConfig = z.output<typeof trendSchema>;
export type TrendInput = z.input<typeof trendSchema>;

/** Checks against the market; one sentence or null. */
export function checkTrend(c: TrendConfig, rules: MarketRules): string | null {
  const q = rules.quote;
  if (c.investment < rules.minNotional * 1.02) return `investment=${c.investment} ${q} is below the exchange minimum order value of ${rules.minNotional} ${q} (plus fees)`;
  const part = (c.investment * c.partial_pct) / 100;
  if (c.partial_pct > 0 && c.partial_pct < 100 && (part < rules.minNotional * 1.02 || c.investment - part < rules.minNotional * 1.02)) {
    return `partial_pct=${c.partial_pct}% of investment=${c.investment} ${q} leaves an order of ${roundMoney(Math.min(part, c.investment - part), 2)} ${q}, below the exchange minimum of ${rules.minNotional} ${q}: raise investment or set partial_pct=0`;
  }
  return null;
}
