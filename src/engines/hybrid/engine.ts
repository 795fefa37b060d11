/**
 * The hybrid bot: grid inside the range, DCA accumulation below it.
 *
 * Modes and transitions (each transition waits for the exchange to confirm the cancels):
 *   grid     --price < lower * (1 - switch_buffer)-->  to_acc  (grid orders cancelled, base kept)
 *   to_acc   --no grid order left-->                   acc     (accumulation ladder laid)
 *   acc      --price >= lower-->                       to_grid (ladder cancelled)
 *   to_grid  --no ladder order left-->                 grid    (grid rebuilt in the same range with all funds)
 *   acc      --price <= stop_loss-->                   stopping --> stopped (base sold when sell_on_stop)
 *   grid     --stop-loss / take-profit of the grid-->  stopped
 *   any      --halt (risk)-->                          stopping --> stopped (base sold when flatten)
 * A range given as range_pct is fixed at the first start and kept for every rebuild.
 * No switch to accumulation while the risk gate says reduce or halt.
 */
import type { MarketRules } from '../../exchange/types.js';
import { roundMoney } from '../../lib/precision.js';
import { EngineShell, restoreState, watchAbove, watchBelow } from '../core/shell.js';
import type { CoreState } from '../core/state.js';
import { initialCore } from '../core/state.js';
import { GridCore, type GridParams } from '../grid/core.js';
import { assertGridSpacing, describeGrid } from '../grid/engine.js';
import type { GridState } from '../grid/state.js';
import { initialGridState } from '../grid/state.js';
import type { ControlEvent, Engine, EngineSnapshot, PriceEvent, WakeRange } from '../types.js';
import { ACC_OWNER, AccCore, initialAccState, type AccState } from './accumulate.js';
import type { HybridConfig } from './config.js';

export const HYBRID_STATE_VERSION = 1;

export type HybridMode = 'grid' | 'to_acc' | 'acc' | 'to_grid' | 'stopping' | 'stopped';

export interface HybridState {
  mode: HybridMode;
  switches: number;
  rangeFixed: boolean;
  /** Cost basis (quote) and amount of the base held when the grid was cancelled. */
  heldCost: number;
  heldQty: number;
  stopReason: string;
  flatten: boolean;
  exitSeq: number;
}

export interface HybridRoot {
  core: CoreState;
  hybrid: HybridState;
  grid: GridState;
  acc: AccState;
}

function fixRange(gp: GridParams, g: GridState): void {
  gp.lower = g.lower;
  gp.upper = g.upper;
  gp.range_pct = undefined;
  gp.stop_loss = g.stopLoss > 0 ? g.stopLoss : undefined;
  gp.take_profit = g.takeProfit > 0 ? g.takeProfit : undefined;
  gp.stop_loss_pct = undefined;
  gp.take_profit_pct = undefined;
  gp.trigger = undefined;
}

export function createHybridEngine(config: HybridConfig, rules: MarketRules, snapshot?: EngineSnapshot): Engine {
  assertGridSpacing(config, rules);
  const root: HybridRoot = snapshot
    ? restoreState<HybridRoot>(snapshot, 'hybrid', HYBRID_STATE_VERSION)
    : {
        core: initialCore(config.investment, config.base_investment),
        hybrid: { mode: 'grid', switches: 0, rangeFixed: false, heldCost: 0, heldQty: 0, stopReason: '', flatten: false, exitSeq: 0 },
        grid: initialGridState(),
        acc: initialAccState(),
      };
  const h = root.hybrid;
  const ctx = EngineShell.ctxFor(root, rules);
  const gp: GridParams = { ...config, quoteShare: 1 - config.reserve_pct / 100, label: 'investment' };
  if (h.rangeFixed) fixRange(gp, root.grid);
  const grid = new GridCore(ctx, root.grid, gp);
  const acc = new AccCore(ctx, root.acc, config);
  const switchLevel = (): number => root.grid.lower * (1 - config.switch_buffer / 100);

  const stopAll = (reason: string, flatten: boolean): void => {
    h.mode = 'stopping';
    h.stopReason = reason;
    h.flatten = flatten;
    grid.stop(reason, false, 'idle');
    acc.stop(reason);
  };

  const settle = (): void => {
    if (!h.rangeFixed && root.grid.prices.length > 0) {
      h.rangeFixed = true;
      fixRange(gp, root.grid);
    }
    const last = ctx.s.lastPrice;
    if (h.mode === 'grid' && root.grid.phase === 'stopped') h.mode = 'stopped';
    else if (h.mode === 'to_acc' && root.grid.phase === 'idle') {
      h.mode = 'acc';
      acc.start(last);
    } else if (h.mode === 'to_grid' && root.acc.phase === 'idle') {
      h.mode = 'grid';
      h.switches++;
      const qty = h.heldQty + root.acc.bought;
      const heldCost = qty > 0 ? (h.heldCost + root.acc.cost) / qty : last;
      ctx.emit({ type: 'mode_changed', reason: 'grid', price: last, message: `Back in range at ${last}: rebuilding the grid with ${roundMoney(ctx.s.base, 8)} ${rules.base} and ${roundMoney(ctx.s.quote, 2)} ${rules.quote}.` });
      grid.start(last, heldCost);
      if (root.grid.phase === 'stopped') h.mode = 'stopped';
    } else if (h.mode === 'stopping' && !ctx.hasLive() && h.exitSeq === 0) {
      if (h.flatten) {
        h.flatten = false;
        const seq = ctx.place(ACC_OWNER, ctx.exitTag('hybrid', 'hybrid-stop', h.stopReason === 'risk'), -1, 'sell', 'market', last, ctx.freeBase());
        if (seq !== 0) {
          h.exitSeq = seq;
          return;
        }
      }
      h.mode = 'stopped';
      ctx.emit({ type: 'stopped', reason: h.stopReason, profit: ctx.s.realised, message: `Hybrid stopped (${h.stopReason.replace('_', ' ')}): ${root.grid.cycles} grid cycles, ${h.switches} returns to the grid, realised ${roundMoney(ctx.s.realised, 2)} ${rules.quote}.` });
    }
  };

  const toAcc = (): void => {
    h.mode = 'to_acc';
    let held = 0;
    let cost = 0;
    for (const ln of root.grid.lines) {
      if (ln.side !== 'sell') continue;
      held += ln.amount;
      cost += ln.cost;
    }
    const base = ctx.s.base;
    h.heldQty = base;
    h.heldCost = cost + Math.max(0, base - held) * root.grid.initCost;
    ctx.emit({ type: 'mode_changed', reason: 'below_range', price: ctx.s.lastPrice, message: `The price ${ctx.s.lastPrice} fell below ${roundMoney(switchLevel(), 8)}: cancelling the grid to accumulate.` });
    grid.stop('below_range', false, 'idle');
  };

  ctx.register('grid', { onDone: (o) => { grid.onDone(o); settle(); } });
  ctx.register(ACC_OWNER, {
    onFill: (o, f) => acc.onFill(o, f),
    onDone: (o) => {
      if (o.seq === h.exitSeq) {
        h.exitSeq = 0;
        const profit = roundMoney(o.cost - o.feeQuote - (h.heldCost + root.acc.cost) * (o.filled / Math.max(h.heldQty + root.acc.bought, o.filled)));
        ctx.s.realised = roundMoney(ctx.s.realised + profit);
      } else acc.onDone(o);
      settle();
    },
  });

  const onPrice = (ev: PriceEvent): void => {
    const last = ctx.s.lastPrice;
    const low = ev.type === 'candle' ? ev.low : ev.price;
    const high = ev.type === 'candle' ? ev.high : ev.price;
    if (h.mode === 'grid') {
      grid.onPrice(ev);
      settle();
      if (h.mode === 'grid' && root.grid.phase === 'running' && last < switchLevel() && ctx.s.risk === 'active') toAcc();
      settle();
    } else if (h.mode === 'acc') {
      const g = root.grid;
      if ((g.stopLoss > 0 && low <= g.stopLoss) || (g.takeProfit > 0 && high >= g.takeProfit)) {
        const sl = g.stopLoss > 0 && low <= g.stopLoss;
        ctx.emit({ type: sl ? 'stop_loss' : 'take_profit', price: sl ? g.stopLoss : g.takeProfit, reason: sl ? 'stop_loss' : 'take_profit', message: `${sl ? 'Stop-loss' : 'Take-profit'} ${roundMoney(sl ? g.stopLoss : g.takeProfit, 8)} reached while accumulating: stopping${config.sell_on_stop ? ' and selling the base' : ''}.` });
        stopAll(sl ? 'stop_loss' : 'take_profit', config.sell_on_stop);
      } else if (last >= g.lower) {
        h.mode = 'to_grid';
        acc.stop('back in range');
      }
      settle();
    }
  };

  const onControl = (ev: ControlEvent): void => {
    if (ev.command === 'halt') {
      ctx.emit({ type: 'halted', reason: ev.reason ?? 'risk', message: `Trading halted${ev.reason ? `: ${ev.reason}` : ''}; cancelling every order${ev.flatten ? ' and selling the base' : ''}.` });
      if (h.mode !== 'stopped' && h.mode !== 'stopping') stopAll('risk', ev.flatten === true);
    } else if (ev.command === 'reduce') {
      ctx.emit({ type: 'reducing', reason: ev.reason ?? 'risk', message: `Reducing exposure${ev.reason ? `: ${ev.reason}` : ''}; buys are cancelled, sells stay.` });
      grid.onControl(ev);
      ctx.cancelAll(ACC_OWNER, 'reducing exposure', 'buy');
    } else {
      ctx.emit({ type: 'resumed', message: 'Trading resumed.' });
      if (h.mode === 'grid') grid.onControl(ev);
    }
    settle();
  };

  const computeWake = (w: WakeRange): void => {
    const g = root.grid;
    if (h.mode === 'grid') {
      grid.computeWake(w);
      if (g.phase === 'running') watchBelow(w, switchLevel());
    } else if (h.mode === 'acc') {
      acc.computeWake(w);
      watchAbove(w, g.lower);
      if (g.stopLoss > 0) watchBelow(w, g.stopLoss);
      if (g.takeProfit > 0) watchAbove(w, g.takeProfit);
    }
  };

  return new EngineShell('hybrid', HYBRID_STATE_VERSION, root, ctx, {
    onPrice,
    onControl,
    computeWake,
    phase: () => (h.mode === 'grid' ? `grid_${root.grid.phase}` : h.mode),
  });
}

export function describeHybrid(c: HybridConfig, rules: MarketRules): string {
  return `${describeGrid(c, rules).replace(/^Grid/, 'Hybrid')}; below the range (−${c.switch_buffer}%): accumulate with ${c.acc_orders} buys ${c.acc_deviation}% apart using the ${c.reserve_pct}% reserve and what the grid frees`;
}
