/**
 * The account's risk verdict for one trading cycle, and what a bot that has not heard of the
 * account's state yet must be told. With several workers the gate sees every worker's bots (the
 * cluster's `accountExposures`); while that picture is incomplete nothing is judged and the stored
 * state applies.
 */
import type { RiskLimits } from '../engines/risk/config.js';
import type { TradingState } from '../engines/risk/gate.js';
import type { Clock } from '../lib/clock.js';
import type { BotExposure, RiskMonitor } from '../trading/risk-monitor.js';
import type { BotRunner } from '../trading/runner.js';

/** One bot's holdings as this process sees them, for the account's risk gate. */
export type LocalExposure = BotExposure & { botId: number };

export interface ControlCommand {
  command: 'halt' | 'reduce' | 'resume';
  flatten?: boolean;
  reason?: string;
}

export interface AccountVerdict {
  state: TradingState;
  /** The gate's command on a change of state (to every bot), or null. */
  control: ControlCommand | null;
  /** Alerts to raise. */
  messages: string[];
  limits: RiskLimits;
  exposure: number;
  reason: string;
  /** 'manual' for the owner's emergency stop. */
  breach: string;
  flattenOnHalt: boolean;
}

export async function judgeAccount(
  d: { risk: RiskMonitor; clock: Clock; accountExposures?: ((local: LocalExposure[], wanted: readonly number[]) => Promise<BotExposure[] | null>) | undefined },
  runners: readonly BotRunner[],
  wanted: readonly number[],
  lastExposure: number,
): Promise<AccountVerdict> {
  const local: LocalExposure[] = runners.map((r) => {
    const b = r.engine.balances();
    return { botId: r.botId, symbol: r.bot.symbol, base: b.base, quote: b.quote, lockedQuote: b.lockedQuote, price: r.price || b.lastPrice };
  });
  const all = d.accountExposures ? await d.accountExposures(local, wanted) : local;
  if (all === null) {
    // Part of the account is unknown this cycle (a worker just started or died): judge nothing.
    const [state, limits] = await Promise.all([d.risk.state(), d.risk.limits()]);
    return { state: state.state, control: null, messages: [], limits, exposure: lastExposure, reason: state.reason, breach: state.breach, flattenOnHalt: limits.on_halt === 'flatten' };
  }
  const { decision, limits, exposure } = await d.risk.evaluate(d.clock.now(), all);
  return {
    state: decision.state.state,
    control: decision.control,
    messages: decision.events.map((e) => e.message),
    limits,
    exposure,
    reason: decision.state.reason,
    breach: decision.state.breach,
    flattenOnHalt: limits.on_halt === 'flatten',
  };
}

/**
 * What a bot told about `was` must hear now that the account is in `v.state` (another worker saw the
 * change first). Nothing for the owner's emergency stop: that reaches every bot through halt(), with
 * the owner's choice of selling or not.
 */
export function catchUp(was: TradingState | undefined, v: AccountVerdict): ControlCommand | null {
  if (v.breach === 'manual' || was === undefined || was === v.state) return null;
  if (v.state === 'HALTED') return { command: 'halt', flatten: v.flattenOnHalt, reason: v.reason };
  if (v.state === 'REDUCING') return { command: 'reduce', reason: v.reason };
  return { command: 'resume', reason: 'limits clear' };
}
