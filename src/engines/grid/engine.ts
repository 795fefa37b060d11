/** The grid bot: createGridEngine(config, rules, snapshot?). */
import type { MarketRules } from '../../exchange/types.js';
import { roundMoney } from '../../lib/precision.js';
import { ConfigError } from '../config/errors.js';
import { EngineShell, restoreState } from '../core/shell.js';
import type { CoreState } from '../core/state.js';
import { initialCore } from '../core/state.js';
import type { Engine, EngineSnapshot } from '../types.js';
import type { GridConfig } from './config.js';
import { GridCore } from './core.js';
import { linePrices, spacingProblem } from './levels.js';
import type { GridState } from './state.js';
import { initialGridState } from './state.js';

export const GRID_STATE_VERSION = 1;

export interface GridRoot {
  core: CoreState;
  grid: GridState;
}

/**
 * Checks what can be checked without a price (the spacing against the maker fee; with range_pct
 * the spacing does not depend on the price). Throws ConfigError with one sentence.
 */
export function assertGridSpacing(c: Pick<GridConfig, 'lower' | 'upper' | 'range_pct' | 'lines' | 'spacing' | 'profit_spread'>, rules: MarketRules): void {
  const prices = c.range_pct !== undefined
    ? linePrices(1 - c.range_pct / 100, 1 + c.range_pct / 100, c.lines, c.spacing, 1e-12)
    : linePrices(c.lower ?? 0, c.upper ?? 0, c.lines, c.spacing, rules.tickSize);
  const problem = spacingProblem(prices, rules, c.profit_spread);
  if (problem !== null) throw new ConfigError(problem);
}

export function createGridEngine(config: GridConfig, rules: MarketRules, snapshot?: EngineSnapshot): Engine {
  assertGridSpacing(config, rules);
  const root: GridRoot = snapshot
    ? restoreState<GridRoot>(snapshot, 'grid', GRID_STATE_VERSION)
    : { core: initialCore(config.investment, config.base_investment), grid: initialGridState() };
  const ctx = EngineShell.ctxFor(root, rules);
  const grid = new GridCore(ctx, root.grid, { ...config, quoteShare: 1, label: 'investment' });
  ctx.register('grid', grid);
  return new EngineShell('grid', GRID_STATE_VERSION, root, ctx, {
    onPrice: (ev) => grid.onPrice(ev),
    onControl: (ev) => {
      if (ev.command === 'halt') ctx.emit({ type: 'halted', reason: ev.reason ?? 'risk', message: `Trading halted${ev.reason ? `: ${ev.reason}` : ''}; cancelling the grid${ev.flatten ? ' and selling the base' : ''}.` });
      else if (ev.command === 'reduce') ctx.emit({ type: 'reducing', reason: ev.reason ?? 'risk', message: `Reducing exposure${ev.reason ? `: ${ev.reason}` : ''}; grid buys are cancelled, sells stay.` });
      else ctx.emit({ type: 'resumed', message: 'Trading resumed; the grid buys are posted again.' });
      grid.onControl(ev);
    },
    computeWake: (w) => grid.computeWake(w),
    phase: () => (root.grid.phase === 'waiting' && config.trigger !== undefined ? 'waiting_trigger' : root.grid.phase),
  });
}

/** A short human summary of a grid config. */
export function describeGrid(c: GridConfig, rules: MarketRules): string {
  const range = c.range_pct !== undefined ? `±${c.range_pct}% around the start price` : `${c.lower}-${c.upper}`;
  const parts = [`Grid ${rules.symbol}: ${c.lines} ${c.spacing} lines ${range}`, `${roundMoney(c.investment, 2)} ${rules.quote}${c.base_investment > 0 ? ` + ${c.base_investment} ${rules.base}` : ''}`];
  if (c.trigger !== undefined) parts.push(`starts at ${c.trigger}`);
  if (c.stop_loss !== undefined) parts.push(`stop-loss ${c.stop_loss}`);
  if (c.stop_loss_pct !== undefined) parts.push(`stop-loss ${c.stop_loss_pct}% below the range`);
  if (c.take_profit !== undefined) parts.push(`take-profit ${c.take_profit}`);
  if (c.take_profit_pct !== undefined) parts.push(`take-profit ${c.take_profit_pct}% above the range`);
  if (c.mode !== 'fixed') parts.push(c.mode === 'compound' ? 'profits reinvested' : 'profit kept in base');
  return parts.join(', ');
}
