/**
 * Risk limits, in the account's quote currency unless said otherwise. Every limit is optional.
 *   max_position          quote value of what one bot holds
 *   max_exposure          one bot's holdings plus its open buy orders
 *   account_max_exposure  the same summed over every bot of the account
 *   daily_loss            realised + unrealised loss since the start of the local day (time_zone)
 *   max_drawdown          % below the peak equity (sticky: the owner resumes by hand)
 *   sl_streak             after this many stop-losses in a row, no new entries for sl_cooldown
 *   on_halt               cancel (orders only) or flatten (also sell what the bots hold)
 */
import { z } from 'zod';
import { duration, num, oneOf, pct, positive, settings } from '../config/fields.js';
import { isTimeZone } from './day.js';

export const riskShape = {
  max_position: positive('max_position').optional(),
  max_exposure: positive('max_exposure').optional(),
  account_max_exposure: positive('account_max_exposure').optional(),
  daily_loss: positive('daily_loss').optional(),
  max_drawdown: pct('max_drawdown', { gt: 0, max: 100 }).optional(),
  sl_streak: num('sl_streak', { int: true, min: 1, max: 100 }).optional(),
  sl_cooldown: duration('sl_cooldown').default(12 * 3_600_000),
  time_zone: z
    .string({ error: 'time_zone must be an IANA zone name such as Europe/Berlin' })
    .default('UTC')
    .refine(isTimeZone, { error: (iss) => `time_zone=${String(iss.input)} is not a known time zone (use an IANA name such as Europe/Berlin)` }),
  on_halt: oneOf('on_halt', ['cancel', 'flatten']).default('cancel'),
};

export const riskSchema = settings('risk', riskShape).superRefine((v, ctx) => {
  if (v.max_position !== undefined && v.max_exposure !== undefined && v.max_position > v.max_exposure) {
    ctx.addIssue({ code: 'custom', path: ['max_position'], message: `max_position=${v.max_position} must not exceed max_exposure=${v.max_exposure}` });
  }
  if (v.max_exposure !== undefined && v.account_max_exposure !== undefined && v.max_exposure > v.account_max_exposure) {
    ctx.addIssue({ code: 'custom', path: ['max_exposure'], message: `max_exposure=${v.max_exposure} must not exceed account_max_exposure=${v.account_max_exposure}` });
  }
});

export type RiskLimits = z.output<typeof riskSchema>;
export type RiskLimitsInput = z.input<typeof riskSchema>;
