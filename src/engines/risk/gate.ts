/**
 * The risk gate, pure: the caller passes what the database holds (the account's fills and marks,
 * the bot's holdings and open orders, its recent exits, the account equity) plus `now`; the gate
 * returns the trading state, breach events for alerts and the control command for the engine.
 * The engine turns the command into cancel / flatten intents (it owns the order sequence numbers;
 * see applyRiskControl). The gate also filters intents: REDUCING lets only exposure-reducing
 * orders through, HALTED only the engine's flatten sells; cancels always pass.
 *
 *   HALTED   daily loss limit (until the next local day), max drawdown (sticky: resetRisk)
 *   REDUCING sl_streak stop-losses in a row (until the cooldown ends), position / exposure / account
 *            exposure above their limits (while they are)
 *   ACTIVE   otherwise
 */
import { roundMoney } from '../../lib/precision.js';
import type { ControlEvent, DomainEvent, Engine, EngineOutput, Intent, PlaceIntent } from '../types.js';
import type { RiskLimits } from './config.js';
import { localClock, startOfLocalDay, startOfNextLocalDay } from './day.js';
import type { RiskFill, RiskMark } from './pnl.js';
import { dailyPnl } from './pnl.js';

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface RiskState {
  version: 1;
  state: TradingState;
  /** Breach code: '', 'daily_loss', 'drawdown', 'sl_streak', 'position', 'exposure', 'account_exposure'. */
  breach: string;
  reason: string;
  since: number;
  /** When the state lapses by itself (0: it does not). */
  until: number;
  peakEquity: number;
}

export const initialRiskState = (): RiskState => ({ version: 1, state: 'ACTIVE', breach: '', reason: '', since: 0, until: 0, peakEquity: 0 });

export interface RiskInput {
  now: number;
  bot: {
    /** Quote value of what the bot holds (position * mark). */
    positionValue: number;
    /** Quote value of the bot's open buy orders. */
    openBuyValue: number;
    /** The bot's closed deals / trades, oldest first, with their exit reason ('stop_loss', ...). */
    exits: readonly { time: number; reason: string }[];
  };
  account: {
    /** Sum over every bot of holdings + open buys, in quote. */
    exposure: number;
    /** Account equity in quote (for the drawdown from its peak). */
    equity: number;
    /** Stored fills of the account (at least those since the start of the local day). */
    fills: readonly RiskFill[];
    /** Base held now per symbol. */
    positions: Readonly<Record<string, number>>;
    marks: Readonly<Record<string, RiskMark>>;
  };
}

export interface RiskDecision {
  state: RiskState;
  /** Breach / recovery events for alerts (empty when nothing changed). */
  events: DomainEvent[];
  /** What to tell the engine (null when nothing changed). */
  control: ControlEvent | null;
  dailyPnl: number;
  dayStart: number;
  drawdownPct: number;
  slStreak: number;
}

interface Verdict {
  state: TradingState;
  breach: string;
  reason: string;
  until: number;
}

const m2 = (v: number): string => String(roundMoney(v, 2));

/** Stop-losses in a row at the end of the exits list, and the time of the last one. */
export function stopLossStreak(exits: readonly { time: number; reason: string }[]): { count: number; last: number } {
  let count = 0;
  let last = 0;
  for (let i = exits.length - 1; i >= 0; i--) {
    const e = exits[i]!;
    if (e.reason !== 'stop_loss') break;
    if (count === 0) last = e.time;
    count++;
  }
  return { count, last };
}

export function evaluateRisk(limits: RiskLimits, input: RiskInput, prev: RiskState = initialRiskState()): RiskDecision {
  const { now, bot, account } = input;
  const tz = limits.time_zone;
  const dayStart = startOfLocalDay(now, tz);
  const { pnl } = dailyPnl(account.fills, account.positions, account.marks, dayStart, now);
  const peak = Math.max(prev.peakEquity, account.equity);
  const dd = peak > 0 ? ((peak - account.equity) / peak) * 100 : 0;
  const streak = stopLossStreak(bot.exits);
  let v: Verdict | null = null;
  if (prev.state === 'HALTED' && (prev.until === 0 || now < prev.until)) v = { state: 'HALTED', breach: prev.breach, reason: prev.reason, until: prev.until };
  else if (limits.daily_loss !== undefined && pnl <= -limits.daily_loss) {
    v = { state: 'HALTED', breach: 'daily_loss', until: startOfNextLocalDay(now, tz), reason: `today's loss of ${m2(-pnl)} reached the daily limit of ${limits.daily_loss} (day started ${localClock(dayStart, tz)} ${tz})` };
  } else if (limits.max_drawdown !== undefined && dd >= limits.max_drawdown) {
    v = { state: 'HALTED', breach: 'drawdown', until: 0, reason: `equity ${m2(account.equity)} is ${m2(dd)}% below its peak of ${m2(peak)}, at or beyond max_drawdown=${limits.max_drawdown}%` };
  } else if (limits.sl_streak !== undefined && streak.count >= limits.sl_streak && now < streak.last + limits.sl_cooldown) {
    v = { state: 'REDUCING', breach: 'sl_streak', until: streak.last + limits.sl_cooldown, reason: `${streak.count} stop-losses in a row: no new entries until ${localClock(streak.last + limits.sl_cooldown, tz)} ${tz}` };
  } else if (limits.max_position !== undefined && bot.positionValue > limits.max_position) {
    v = { state: 'REDUCING', breach: 'position', until: 0, reason: `the position is worth ${m2(bot.positionValue)}, above max_position=${limits.max_position}` };
  } else if (limits.max_exposure !== undefined && bot.positionValue + bot.openBuyValue > limits.max_exposure) {
    v = { state: 'REDUCING', breach: 'exposure', until: 0, reason: `the bot's exposure of ${m2(bot.positionValue + bot.openBuyValue)} is above max_exposure=${limits.max_exposure}` };
  } else if (limits.account_max_exposure !== undefined && account.exposure > limits.account_max_exposure) {
    v = { state: 'REDUCING', breach: 'account_exposure', until: 0, reason: `the account's exposure of ${m2(account.exposure)} is above account_max_exposure=${limits.account_max_exposure}` };
  }
  const next: Verdict = v ?? { state: 'ACTIVE', breach: '', reason: '', until: 0 };
  const changed = next.state !== prev.state || next.breach !== prev.breach;
  const state: RiskState = { version: 1, state: next.state, breach: next.breach, reason: next.reason, since: changed ? now : prev.since, until: next.until, peakEquity: peak };
  const events: DomainEvent[] = [];
  let control: ControlEvent | null = null;
  if (changed) {
    if (next.state === 'HALTED') {
      const flatten = limits.on_halt === 'flatten';
      events.push({ type: 'halted', time: now, reason: next.breach, message: `Trading halted: ${next.reason}; ${flatten ? 'cancelling orders and selling holdings' : 'cancelling orders'}.` });
      control = { type: 'control', command: 'halt', flatten, reason: next.reason };
    } else if (next.state === 'REDUCING') {
      events.push({ type: 'reducing', time: now, reason: next.breach, message: `Reducing exposure: ${next.reason}; only orders that reduce it go through.` });
      if (prev.state !== 'REDUCING') control = { type: 'control', command: 'reduce', reason: next.reason };
    } else {
      const was = prev.state === 'HALTED' ? ' (bots stopped by the halt stay stopped until restarted)' : '';
      events.push({ type: 'resumed', time: now, reason: prev.breach, message: `Risk limits are clear again: trading resumes${was}.` });
      control = { type: 'control', command: 'resume', reason: 'limits clear' };
    }
  }
  return { state, events, control, dailyPnl: pnl, dayStart, drawdownPct: dd, slStreak: streak.count };
}

/** The owner clears a sticky halt (e.g. after max drawdown); the peak restarts from today's equity. */
export function resetRisk(equity: number, now: number): RiskState {
  return { version: 1, state: 'ACTIVE', breach: '', reason: '', since: now, until: 0, peakEquity: equity };
}

export interface ExposureContext {
  /** Price to value market orders. */
  price: number;
  positionValue: number;
  openBuyValue: number;
  accountExposure: number;
}

export interface IntentVerdict {
  allowed: boolean;
  reason: string;
}

const ALLOW: IntentVerdict = { allowed: true, reason: '' };

/** Whether one intent may go out; a blocked place intent must be reported to the engine as rejected. */
export function checkIntent(limits: RiskLimits, state: TradingState, it: Intent, x: ExposureContext): IntentVerdict {
  if (it.kind === 'cancel') return ALLOW;
  if (state === 'HALTED') return it.side === 'sell' && it.tag.endsWith('flatten') ? ALLOW : { allowed: false, reason: 'trading is halted' };
  if (it.side === 'sell') return ALLOW;
  if (state === 'REDUCING') return { allowed: false, reason: 'the bot is reducing exposure: no new buys' };
  const value = it.amount * (it.price ?? x.price);
  if (limits.max_position !== undefined && x.positionValue + value > limits.max_position) {
    return { allowed: false, reason: `the buy would raise the position to ${m2(x.positionValue + value)}, above max_position=${limits.max_position}` };
  }
  if (limits.max_exposure !== undefined && x.positionValue + x.openBuyValue + value > limits.max_exposure) {
    return { allowed: false, reason: `the buy would raise the bot's exposure to ${m2(x.positionValue + x.openBuyValue + value)}, above max_exposure=${limits.max_exposure}` };
  }
  if (limits.account_max_exposure !== undefined && x.accountExposure + value > limits.account_max_exposure) {
    return { allowed: false, reason: `the buy would raise the account's exposure to ${m2(x.accountExposure + value)}, above account_max_exposure=${limits.account_max_exposure}` };
  }
  return ALLOW;
}

export interface FilteredIntents {
  allowed: Intent[];
  blocked: { intent: PlaceIntent; reason: string }[];
}

/** Filters a batch, counting the buys already let through against the limits. */
export function filterIntents(limits: RiskLimits, state: TradingState, intents: readonly Intent[], x: ExposureContext): FilteredIntents {
  const out: FilteredIntents = { allowed: [], blocked: [] };
  let openBuy = x.openBuyValue;
  let account = x.accountExposure;
  for (const it of intents) {
    const v = checkIntent(limits, state, it, { ...x, openBuyValue: openBuy, accountExposure: account });
    if (v.allowed) {
      out.allowed.push(it);
      if (it.kind === 'place' && it.side === 'buy') {
        const value = it.amount * (it.price ?? x.price);
        openBuy += value;
        account += value;
      }
    } else if (it.kind === 'place') out.blocked.push({ intent: it, reason: v.reason });
  }
  return out;
}

/**
 * Feeds the gate's control command to the engine and returns the engine's answer: the cancel and
 * flatten intents (with the engine's own sequence numbers) and its alert events.
 */
export function applyRiskControl(engine: Engine, decision: RiskDecision, now: number): EngineOutput | null {
  return decision.control === null ? null : engine.onEvent(decision.control, now);
}
