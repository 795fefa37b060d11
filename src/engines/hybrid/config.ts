/**
 * Hybrid settings: a grid inside the range (every grid key), plus what to do below it: once the
 * price falls switch_buffer% below lower, the grid is cancelled and the quote accumulates base
 * with a DCA ladder (first buy at market, then acc_orders - 1 limit buys acc_deviation% apart,
 * scaled by acc_step_scale / acc_volume_scale). When the price is back at lower or above, the
 * ladder is cancelled and the grid is rebuilt in the same range with everything held.
 * reserve_pct of the quote stays out of the grid for that accumulation.
 */
import { z } from 'zod';
import { num, pct, settings } from '../config/fields.js';
import { gridShape, refineRange } from '../grid/config.js';

export const hybridShape = {
  ...gridShape,
  reserve_pct: pct('reserve_pct', { min: 0, max: 90 }).default(30),
  switch_buffer: pct('switch_buffer', { min: 0, max: 50 }).default(1),
  acc_orders: num('acc_orders', { int: true, min: 1, max: 30 }).default(5),
  acc_deviation: pct('acc_deviation', { gt: 0, max: 30 }).default(2),
  acc_step_scale: num('acc_step_scale', { min: 0.1, max: 10 }).default(1),
  acc_volume_scale: num('acc_volume_scale', { min: 0.1, max: 10 }).default(1.5),
};

export const hybridSchema = settings('hybrid', hybridShape).superRefine((v, ctx) => {
  refineRange(v, ctx);
  if (v.lower !== undefined && v.stop_loss !== undefined) {
    const sw = v.lower * (1 - v.switch_buffer / 100);
    if (v.stop_loss >= sw) ctx.addIssue({ code: 'custom', path: ['stop_loss'], message: `stop_loss=${v.stop_loss} must be below ${sw} (lower minus switch_buffer), or accumulation can never start` });
  }
  if (v.range_pct !== undefined && v.stop_loss_pct !== undefined && v.stop_loss_pct <= v.switch_buffer) {
    ctx.addIssue({ code: 'custom', path: ['stop_loss_pct'], message: `stop_loss_pct=${v.stop_loss_pct}% must be above switch_buffer=${v.switch_buffer}%, or accumulation can never start` });
  }
  let total = 0;
  let step = v.acc_deviation;
  for (let i = 1; i < v.acc_orders; i++) {
    total += step;
    step *= v.acc_step_scale;
  }
  if (total >= 95) ctx.addIssue({ code: 'custom', path: ['acc_deviation'], message: `the last accumulation buy would sit ${Math.round(total)}% below the switch price: lower acc_deviation, acc_step_scale or acc_orders` });
});

export type HybridConfig = z.output<typeof hybridSchema>;
export type HybridInput = z.input<typeof hybridSchema>;
