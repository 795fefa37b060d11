/** The trend follower: createTrendEngine(config, rules, snapshot?). Its budget is config.investment. */
import type { MarketRules } from '../../exchange/types.js';
import { ConfigError } from '../config/errors.js';
import { EngineShell, restoreState } from '../core/shell.js';
import type { CoreState } from '../core/state.js';
import { initialCore } from '../core/state.js';
import type { Engine, EngineSnapshot } from '../types.js';
import type { TrendConfig } from './config.js';
import { checkTrend } from './config.js';
import { TrendCore } from './core.js';
import type { TrendState } from './state.js';
import { initialTrendState } from './state.js';

export const TREND_STATE_VERSION = 1;

export interface TrendRoot {
  core: CoreState;
  trend: TrendState;
}

export function createTrendEngine(config: TrendConfig, rules: MarketRules, snapshot?: EngineSnapshot): Engine {
  const problem = checkTrend(config, rules);
  if (problem !== null) throw new ConfigError(problem);
  const root: TrendRoot = snapshot
    ? restoreState<TrendRoot>(snapshot, 'trend', TREND_STATE_VERSION)
    : { core: initialCore(config.investment, 0), trend: initialTrendState(config.fast, config.slow, config.atr_period) };
  const ctx = EngineShell.ctxFor(root, rules);
  const trend = new TrendCore(ctx, root.trend, config);
  ctx.register('trend', trend);
  return new EngineShell('trend', TREND_STATE_VERSION, root, ctx, {
    onPrice: (ev) => trend.onPrice(ev),
    onControl: (ev) => {
      if (ev.command === 'halt') ctx.emit({ type: 'halted', reason: ev.reason ?? 'risk', message: `Trading halted${ev.reason ? `: ${ev.reason}` : ''}${ev.flatten ? '; selling the position' : '; the position is kept'}.` });
      else if (ev.command === 'reduce') ctx.emit({ type: 'reducing', reason: ev.reason ?? 'risk', message: `Reducing exposure${ev.reason ? `: ${ev.reason}` : ''}; no new entries.` });
      else ctx.emit({ type: 'resumed', message: 'Trading resumed.' });
      trend.onControl(ev);
    },
    computeWake: (w) => trend.computeWake(w),
    phase: () => root.trend.phase,
  });
}

export function describeTrend(c: TrendConfig, rules: MarketRules): string {
  return [
    `Trend ${rules.symbol} ${c.timeframe}: EMA ${c.fast}/${c.slow} cross, ${c.investment} ${rules.quote} per trade`,
    `stop ${c.stop_atr} ATR(${c.atr_period}), first target ${c.target_atr} ATR${c.partial_pct > 0 ? ` (sell ${c.partial_pct}%)` : ''}`,
    `trailing ${c.trail_atr} ATR${c.exit_on_cross ? ', exit on a bearish cross' : ''}`,
  ].join(', ');
}
