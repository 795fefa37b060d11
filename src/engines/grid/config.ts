/**
 * Grid settings. The range is either absolute (lower, upper) or relative to the price when the
 * grid starts (range_pct=10: lower = price * 0.9, upper = price * 1.1; stop_loss_pct and
 * take_profit_pct are then measured below lower / above upper). Relative ranges are what presets
 * use, since a preset cannot know today's price.
 */
import { z } from 'zod';
import { bool, num, oneOf, pct, positive, settings } from '../config/fields.js';

export const GRID_MAX_LINES = 200;

export const gridShape = {
  lower: positive('lower').optional(),
  upper: positive('upper').optional(),
  range_pct: pct('range_pct', { gt: 0, max: 90 }).optional(),
  lines: num('lines', { int: true, min: 2, max: GRID_MAX_LINES }).default(20),
  spacing: oneOf('spacing', ['arithmetic', 'geometric']).default('arithmetic'),
  investment: positive('investment'),
  base_investment: num('base_investment', { min: 0 }).default(0),
  trigger: positive('trigger').optional(),
  stop_loss: positive('stop_loss').optional(),
  take_profit: positive('take_profit').optional(),
  stop_loss_pct: pct('stop_loss_pct', { gt: 0, max: 99 }).optional(),
  take_profit_pct: pct('take_profit_pct', { gt: 0, max: 1000 }).optional(),
  sell_on_stop: bool('sell_on_stop').default(true),
  profit_spread: pct('profit_spread', { gt: 0, max: 100 }).optional(),
  mode: oneOf('mode', ['fixed', 'compound', 'earn_base']).default('fixed'),
};

/** The range fields shared by grid and hybrid settings. */
export interface RangeLike {
  lower?: number | undefined;
  upper?: number | undefined;
  range_pct?: number | undefined;
  stop_loss?: number | undefined;
  take_profit?: number | undefined;
  stop_loss_pct?: number | undefined;
  take_profit_pct?: number | undefined;
}

/** Cross-field checks shared by grid and hybrid. */
export function refineRange<T extends RangeLike>(v: T, ctx: z.RefinementCtx<T>): void {
  const abs = v.lower !== undefined || v.upper !== undefined;
  if (abs && v.range_pct !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['range_pct'], message: 'set either lower and upper, or range_pct, not both' });
    return;
  }
  if (!abs && v.range_pct === undefined) {
    ctx.addIssue({ code: 'custom', path: ['lower'], message: 'lower and upper are required (or range_pct to center the range on the price at start)' });
    return;
  }
  if (abs) {
    if (v.lower === undefined) return void ctx.addIssue({ code: 'custom', path: ['lower'], message: `lower is required with upper=${v.upper}` });
    if (v.upper === undefined) return void ctx.addIssue({ code: 'custom', path: ['upper'], message: `upper is required with lower=${v.lower}` });
    if (v.upper <= v.lower) return void ctx.addIssue({ code: 'custom', path: ['upper'], message: `upper=${v.upper} must be above lower=${v.lower}` });
    if (v.stop_loss !== undefined && v.stop_loss >= v.lower) {
      ctx.addIssue({ code: 'custom', path: ['stop_loss'], message: `stop_loss=${v.stop_loss} must be below lower=${v.lower}` });
    }
    if (v.take_profit !== undefined && v.take_profit <= v.upper) {
      ctx.addIssue({ code: 'custom', path: ['take_profit'], message: `take_profit=${v.take_profit} must be above upper=${v.upper}` });
    }
    if (v.stop_loss_pct !== undefined || v.take_profit_pct !== undefined) {
      ctx.addIssue({ code: 'custom', path: [v.stop_loss_pct !== undefined ? 'stop_loss_pct' : 'take_profit_pct'], message: 'stop_loss_pct and take_profit_pct go with range_pct; with lower and upper use stop_loss and take_profit prices' });
    }
  } else if (v.stop_loss !== undefined || v.take_profit !== undefined) {
    ctx.addIssue({ code: 'custom', path: [v.stop_loss !== undefined ? 'stop_loss' : 'take_profit'], message: 'with range_pct use stop_loss_pct and take_profit_pct (percent beyond the range), since prices are not known yet' });
  }
}

export const gridSchema = settings('grid', gridShape).superRefine(refineRange);

export type GridConfig = z.output<typeof gridSchema>;
export type GridInput = z.input<typeof gridSchema>;

/** The range and stops in prices, once the start price is known. */
export interface GridRange {
  lower: number;
  upper: number;
  /** 0 when not set. */
  stopLoss: number;
  takeProfit: number;
}

type RangeFields = Pick<GridConfig, 'lower' | 'upper' | 'range_pct' | 'stop_loss' | 'take_profit' | 'stop_loss_pct' | 'take_profit_pct'>;

/** Resolves a range given as range_pct around `price` (absolute ranges are returned as they are). */
export function resolveRange(c: RangeFields, price: number): GridRange {
  if (c.range_pct !== undefined) {
    const lower = price * (1 - c.range_pct / 100);
    const upper = price * (1 + c.range_pct / 100);
    return {
      lower,
      upper,
      stopLoss: c.stop_loss_pct !== undefined ? lower * (1 - c.stop_loss_pct / 100) : 0,
      takeProfit: c.take_profit_pct !== undefined ? upper * (1 + c.take_profit_pct / 100) : 0,
    };
  }
  return { lower: c.lower ?? 0, upper: c.upper ?? 0, stopLoss: c.stop_loss ?? 0, takeProfit: c.take_profit ?? 0 };
}
