/** DCA settings (spot, long only). Percentages are written 1.5 or "1.5%". */
import { z } from 'zod';
import type { MarketRules } from '../../exchange/types.js';
import { roundMoney } from '../../lib/precision.js';
import { MARKET_SLIPPAGE } from '../core/context.js';
import { bool, duration, num, pct, positive, settings } from '../config/fields.js';
import { ladderAverages, ladderDeviations, ladderVolumes } from './ladder.js';

export const DCA_MAX_SAFETY_ORDERS = 50;

export const dcaShape = {
  base_order: positive('base_order'),
  safety_order: positive('safety_order'),
  max_safety_orders: num('max_safety_orders', { int: true, min: 0, max: DCA_MAX_SAFETY_ORDERS }).default(5),
  active_safety_orders: num('active_safety_orders', { int: true, min: 1, max: DCA_MAX_SAFETY_ORDERS }).default(1),
  deviation: pct('deviation', { gt: 0, max: 50 }).default(1),
  step_scale: num('step_scale', { min: 0.1, max: 10 }).default(1),
  volume_scale: num('volume_scale', { min: 0.1, max: 10 }).default(1),
  take_profit: pct('take_profit', { gt: 0, max: 500 }).default(1.5),
  trailing: bool('trailing').default(false),
  trailing_deviation: pct('trailing_deviation', { gt: 0, max: 50 }).default(0.5),
  stop_loss: pct('stop_loss', { gt: 0, max: 99 }).optional(),
  breakeven: pct('breakeven', { gt: 0, max: 500 }).optional(),
  cooldown: duration('cooldown').default(0),
  max_deals: num('max_deals', { int: true, min: 0 }).default(0),
};

export type DcaShapeOut = z.output<z.ZodObject<typeof dcaShape>>;

export function refineDca<T extends DcaShapeOut>(v: T, ctx: z.RefinementCtx<T>): void {
  const m = v.max_safety_orders;
  if (m > 0 && v.active_safety_orders > m) {
    ctx.addIssue({ code: 'custom', path: ['active_safety_orders'], message: `active_safety_orders=${v.active_safety_orders} is above max_safety_orders=${m}` });
  }
  const devs = ladderDeviations(m, v.deviation, v.step_scale);
  const last = devs[devs.length - 1] ?? 0;
  if (last >= 95) {
    ctx.addIssue({ code: 'custom', path: ['deviation'], message: `safety order ${m} would sit ${roundMoney(last, 2)}% below the base price: lower deviation, step_scale or max_safety_orders` });
    return;
  }
  if (v.trailing && v.trailing_deviation >= v.take_profit) {
    ctx.addIssue({ code: 'custom', path: ['trailing_deviation'], message: `trailing_deviation=${v.trailing_deviation}% must be below take_profit=${v.take_profit}%, or a trailing exit could sell below the entry` });
  }
  if (v.breakeven !== undefined && !v.trailing && v.breakeven >= v.take_profit) {
    ctx.addIssue({ code: 'custom', path: ['breakeven'], message: `breakeven=${v.breakeven}% must be below take_profit=${v.take_profit}% to ever apply` });
  }
  if (v.stop_loss !== undefined && m > 0) {
    const avgs = ladderAverages(100, v.base_order, devs, ladderVolumes(m, v.safety_order, v.volume_scale));
    for (let n = 0; n < m; n++) {
      const slPrice = avgs[n]! * (1 - v.stop_loss / 100);
      const next = 100 * (1 - devs[n]! / 100);
      if (slPrice >= next) {
        ctx.addIssue({ code: 'custom', path: ['stop_loss'], message: `stop_loss=${v.stop_loss}% would trigger before safety order ${n + 1} at -${roundMoney(devs[n]!, 2)}%: widen stop_loss or tighten the safety orders` });
        return;
      }
    }
  }
}

export const dcaSchema = settings('dca', dcaShape).superRefine(refineDca);

export type DcaConfig = z.output<typeof dcaSchema>;
export type DcaInput = z.input<typeof dcaSchema>;

/** The quote a DCA bot needs for one full deal (base order at market with slippage, every safety order, fees in quote). */
export function dcaBudget(c: Pick<DcaConfig, 'base_order' | 'safety_order' | 'max_safety_orders' | 'volume_scale'>, rules: MarketRules): number {
  const sos = ladderVolumes(c.max_safety_orders, c.safety_order, c.volume_scale).reduce((a, b) => a + b, 0);
  return Math.ceil((c.base_order * (1 + rules.takerFee + MARKET_SLIPPAGE) + sos * (1 + rules.makerFee)) * 100) / 100;
}

/** Checks against the market (minimum order value, fees); one sentence or null. */
export function checkDca(c: DcaConfig, rules: MarketRules): string | null {
  const q = rules.quote;
  if (c.base_order < rules.minNotional) return `base_order=${c.base_order} ${q} is below the exchange minimum order value of ${rules.minNotional} ${q}`;
  if (c.max_safety_orders > 0) {
    if (c.safety_order < rules.minNotional) return `safety_order=${c.safety_order} ${q} is below the exchange minimum order value of ${rules.minNotional} ${q}`;
    const vols = ladderVolumes(c.max_safety_orders, c.safety_order, c.volume_scale);
    const n = vols.findIndex((v) => v < rules.minNotional);
    if (n >= 0) {
      return `safety order ${n + 1} would be ${roundMoney(vols[n]!, 2)} ${q} (volume_scale=${c.volume_scale}), below the exchange minimum order value of ${rules.minNotional} ${q}`;
    }
  }
  const fees = (rules.takerFee + rules.makerFee) * 100;
  if (c.take_profit <= fees) return `take_profit=${c.take_profit}% does not beat the fees of a round trip (${roundMoney(fees, 3)}%)`;
  return null;
}
