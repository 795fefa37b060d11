/**
 * The grid's behaviour on top of the order desk: start (with one market order to hold the base the
 * sell lines need), counter orders on fills, stop-loss / take-profit, range tracking, reduce/halt.
 *
 * Lines: buys below the start price, sells above, the line nearest the start price stays empty.
 * A buy filled at line i puts its base up for sale at line i+1; a sell filled at line i puts a buy
 * at line i-1. So there is never a buy at the top line nor a sell at the bottom line. Nothing moves
 * on partial fills until the order is done; the fill price of a market order is never a level.
 */
import { ceilToStep, floorToStep, roundMoney } from '../../lib/precision.js';
import type { Ctx, OwnerHooks } from '../core/context.js';
import { alwaysWake, restingLevels, watchAbove, watchBelow } from '../core/shell.js';
import type { OrderRecord } from '../core/state.js';
import { avgPrice } from '../core/state.js';
import type { ControlEvent, PriceEvent, WakeRange } from '../types.js';
import { onBuyDone, onSellDone, syncLine } from './lines.js';
import type { GridPlanInput } from './plan.js';
import { planGrid } from './plan.js';
import type { GridMode, GridState } from './state.js';
import { MAX_REJECTS } from './state.js';

export interface GridParams extends GridPlanInput {
  mode: GridMode;
  sell_on_stop: boolean;
  trigger?: number;
  /** Share of the free quote a (re)start may use (the hybrid keeps a reserve). */
  quoteShare: number;
  label: string;
}

export class GridCore implements OwnerHooks {
  constructor(
    readonly ctx: Ctx,
    public st: GridState,
    readonly p: GridParams,
    readonly owner = 'grid',
  ) {}

  /**
   * Starts (or restarts) the grid around `price` with the funds the desk holds; `heldCost` is the
   * cost per unit of the base already held (default: the price).
   */
  start(price: number, heldCost = price): void {
    const { ctx, st } = this;
    const r = ctx.rules;
    const plan = planGrid(this.p, r, price, { quote: ctx.freeQuote() * this.p.quoteShare, base: ctx.freeBase(), label: this.p.label });
    if (typeof plan === 'string') {
      st.phase = 'stopped';
      st.error = plan;
      ctx.emit({ type: 'error', reason: 'config', message: `The grid cannot start: ${plan}.` });
      return;
    }
    st.lower = plan.range.lower;
    st.upper = plan.range.upper;
    st.stopLoss = plan.range.stopLoss;
    st.takeProfit = plan.range.takeProfit;
    st.prices = plan.prices;
    st.k = plan.k;
    st.qty = plan.qty;
    st.lines = plan.prices.map(() => ({ side: 'none' as const, amount: 0, cost: 0, seq: 0, rejects: 0, note: '' }));
    st.inRange = price >= st.lower && price <= st.upper;
    st.initCost = heldCost;
    st.error = '';
    const need = (plan.prices.length - 1 - plan.k) * plan.qty;
    const have = ctx.freeBase();
    const minAmt = ctx.minAmountAt(price);
    let seq = 0;
    if (need - have > ctx.tol) {
      const amt = Math.max(ceilToStep((need - have) / (1 - r.takerFee), r.stepSize), minAmt);
      seq = ctx.place(this.owner, 'grid-init', -1, 'buy', 'market', price, amt);
    } else if (have - need >= minAmt) {
      seq = ctx.place(this.owner, 'grid-init', -1, 'sell', 'market', price, have - need);
    }
    if (seq !== 0) {
      st.phase = 'starting';
      st.initSeq = seq;
      return;
    }
    if (ctx.lastSkip !== '' && need - have > ctx.tol) {
      ctx.emit({ type: 'order_skipped', side: 'buy', reason: ctx.lastSkip, message: `The grid could not buy the base for its sell lines (${ctx.lastSkipDetail}); it starts with the buy lines only.` });
    }
    this.layLines(price);
  }

  /** Puts every line on the book: buys below the empty line, sells above it while base lasts. */
  private layLines(price: number): void {
    const { ctx, st } = this;
    st.phase = 'running';
    let base = ctx.freeBase();
    const L = st.prices.length;
    for (let i = st.k + 1; i < L; i++) {
      const ln = st.lines[i]!;
      let amt = 0;
      if (base >= st.qty - ctx.tol) amt = st.qty;
      else if (base >= ctx.minAmountAt(st.prices[i]!)) amt = floorToStep(base, ctx.rules.stepSize);
      if (amt <= 0) break;
      base -= amt;
      ln.side = 'sell';
      ln.amount = amt;
      ln.cost = amt * st.initCost;
    }
    for (let i = 0; i < st.k; i++) {
      const ln = st.lines[i]!;
      ln.side = 'buy';
      ln.amount = st.qty;
    }
    ctx.emit({
      type: 'started', price,
      message: `Grid started at ${price}: ${L} lines from ${st.prices[0]} to ${st.prices[L - 1]}, ${st.qty} ${ctx.rules.base} per line.`,
    });
    this.syncAll();
  }

  /** Posts every line that wants an order and has none: nearest lines first. */
  syncAll(): void {
    const st = this.st;
    for (let i = st.k; i < st.lines.length; i++) if (st.lines[i]!.side === 'sell') syncLine(this, i);
    for (let i = st.lines.length - 1; i >= 0; i--) if (st.lines[i]!.side === 'buy') syncLine(this, i);
    for (let i = 0; i < st.k; i++) if (st.lines[i]!.side === 'sell') syncLine(this, i);
  }

  onDone(o: OrderRecord): void {
    const { ctx, st } = this;
    if (o.seq === st.initSeq) {
      st.initSeq = 0;
      const got = o.side === 'buy' ? o.filled - o.feeBase : 0;
      const held = ctx.freeBase() - got;
      if (o.side === 'buy' && got > 0) st.initCost = (held * st.initCost + o.cost + o.feeQuote) / (held + got);
      if (st.phase === 'starting') this.layLines(ctx.s.lastPrice);
      else if (st.phase === 'stopping' && !ctx.hasLive(this.owner)) this.finishStop();
      return;
    }
    if (o.seq === st.exitSeq) {
      st.exitSeq = 0;
      const proceeds = o.cost - o.feeQuote;
      const profit = roundMoney(proceeds - st.exitCost * (o.filled / Math.max(o.amount, ctx.tol)));
      st.profit = roundMoney(st.profit + profit);
      ctx.s.realised = roundMoney(ctx.s.realised + profit);
      this.finish(profit);
      return;
    }
    const ln = st.lines[o.ref];
    if (ln === undefined) return;
    if (ln.seq === o.seq) ln.seq = 0;
    if (st.phase === 'stopping') {
      if (!ctx.hasLive(this.owner)) this.finishStop();
      return;
    }
    if (st.phase !== 'running') return;
    if (o.filled <= ctx.tol) {
      if (o.cancel !== '' || ln.seq !== 0) return; // we cancelled it (reduce / rebalance): the line keeps its wish
      ln.rejects++;
      if (ln.rejects >= MAX_REJECTS) {
        ctx.emit({ type: 'order_skipped', seq: o.seq, side: o.side, price: st.prices[o.ref], reason: 'rejected', message: `Grid line ${o.ref + 1} stays empty after ${ln.rejects} refused orders.` });
      } else syncLine(this, o.ref);
      return;
    }
    ln.rejects = 0;
    if (o.filled < o.amount - ctx.tol && o.cancel === '') {
      ctx.emit({ type: 'order_ended', seq: o.seq, side: o.side, price: avgPrice(o), amount: o.filled, reason: o.final || 'ended', message: `Grid order #${o.seq} ended ${o.final || 'early'} after filling ${o.filled} of ${o.amount}; the filled part is traded on.` });
    }
    if (o.side === 'buy') onBuyDone(this, o);
    else onSellDone(this, o);
  }

  onPrice(ev: PriceEvent): void {
    const { ctx, st } = this;
    const low = ev.type === 'candle' ? ev.low : ev.price;
    const high = ev.type === 'candle' ? ev.high : ev.price;
    const last = ctx.s.lastPrice;
    if (st.phase === 'waiting') {
      if (ctx.s.risk !== 'active') return;
      const t = this.p.trigger;
      if (t !== undefined) {
        const reached = st.triggerDir < 0 ? low <= t : st.triggerDir > 0 ? high >= t : low <= t && high >= t;
        if (!reached) {
          if (st.triggerDir === 0) st.triggerDir = last > t ? -1 : 1;
          return;
        }
        ctx.emit({ type: 'trigger_reached', price: t, message: `Trigger price ${t} reached; the grid starts at ${last}.` });
      }
      this.start(last);
      return;
    }
    if (st.phase !== 'running' && st.phase !== 'starting') return;
    // Stop-loss first when both stops lie inside one candle (pessimistic).
    if (st.stopLoss > 0 && low <= st.stopLoss) {
      ctx.emit({ type: 'stop_loss', price: st.stopLoss, reason: 'stop_loss', message: `Stop-loss ${roundMoney(st.stopLoss, 8)} reached: cancelling the grid${this.p.sell_on_stop ? ' and selling the base' : ''}.` });
      this.stop('stop_loss', this.p.sell_on_stop, 'stopped');
      return;
    }
    if (st.takeProfit > 0 && high >= st.takeProfit) {
      ctx.emit({ type: 'take_profit', price: st.takeProfit, reason: 'take_profit', message: `Take-profit ${roundMoney(st.takeProfit, 8)} reached: cancelling the grid${this.p.sell_on_stop ? ' and selling the base' : ''}.` });
      this.stop('take_profit', this.p.sell_on_stop, 'stopped');
      return;
    }
    const inside = last >= st.lower && last <= st.upper;
    if (inside !== st.inRange) {
      st.inRange = inside;
      if (inside) ctx.emit({ type: 'range_entered', price: last, message: `The price ${last} is back inside the grid range.` });
      else ctx.emit({ type: 'range_left', price: last, reason: last < st.lower ? 'below' : 'above', message: `The price ${last} left the grid range ${roundMoney(st.lower, 8)}-${roundMoney(st.upper, 8)} (${last < st.lower ? 'below' : 'above'}); orders stay in place.` });
    }
  }

  /** Cancels every grid order, then (flatten) sells the base at market; ends in `after`. */
  stop(reason: string, flatten: boolean, after: 'stopped' | 'idle'): void {
    const { ctx, st } = this;
    if (st.phase === 'stopping' || st.phase === 'stopped' || st.phase === 'idle') return;
    if (st.phase === 'waiting') {
      st.phase = after;
      st.stopReason = reason;
      if (after === 'stopped') this.finish(0);
      return;
    }
    st.phase = 'stopping';
    st.stopReason = reason;
    st.flatten = flatten;
    st.after = after;
    ctx.cancelAll(this.owner, reason);
    if (!ctx.hasLive(this.owner)) this.finishStop();
  }

  private finishStop(): void {
    const { ctx, st } = this;
    if (st.flatten) {
      st.flatten = false;
      const amt = floorToStep(Math.max(0, ctx.freeBase()), ctx.rules.stepSize);
      let held = 0;
      let cost = 0;
      for (const ln of st.lines) {
        if (ln.side !== 'sell') continue;
        held += ln.amount;
        cost += ln.cost;
      }
      st.exitCost = amt <= held ? (held > 0 ? (cost * amt) / held : 0) : cost + (amt - held) * st.initCost;
      const tag = ctx.exitTag('grid', 'grid-stop', st.stopReason === 'risk');
      const seq = amt > 0 ? ctx.place(this.owner, tag, -1, 'sell', 'market', ctx.s.lastPrice, amt) : 0;
      if (seq !== 0) {
        st.exitSeq = seq;
        return;
      }
      if (amt > 0) ctx.emit({ type: 'order_skipped', side: 'sell', amount: amt, reason: ctx.lastSkip, message: `The base left (${amt} ${ctx.rules.base}) could not be sold: ${ctx.lastSkipDetail}.` });
    }
    this.finish(0);
  }

  private finish(lastProfit: number): void {
    const { ctx, st } = this;
    for (const ln of st.lines) {
      ln.side = 'none';
      ln.seq = 0;
      ln.amount = 0;
      ln.cost = 0;
    }
    st.phase = st.after;
    if (st.after === 'stopped') {
      ctx.emit({ type: 'stopped', reason: st.stopReason, profit: st.profit, message: `Grid stopped (${st.stopReason.replace('_', ' ')}): ${st.cycles} cycles, profit ${roundMoney(st.profit, 2)} ${ctx.rules.quote}${lastProfit !== 0 ? ` (closing sale ${roundMoney(lastProfit, 2)})` : ''}.` });
    }
  }

  onControl(ev: ControlEvent): void {
    const st = this.st;
    if (ev.command === 'halt') this.stop('risk', ev.flatten === true, 'stopped');
    else if (ev.command === 'reduce') this.ctx.cancelAll(this.owner, 'reducing exposure', 'buy');
    else if (st.phase === 'running') this.syncAll();
  }

  computeWake(w: WakeRange): void {
    const { ctx, st } = this;
    if (st.phase === 'waiting') {
      const t = this.p.trigger;
      if (t === undefined || st.triggerDir === 0) alwaysWake(w);
      else if (st.triggerDir < 0) watchBelow(w, t);
      else watchAbove(w, t);
      return;
    }
    if (st.phase !== 'running' && st.phase !== 'starting') return;
    if (st.stopLoss > 0) watchBelow(w, st.stopLoss);
    if (st.takeProfit > 0) watchAbove(w, st.takeProfit);
    if (st.phase === 'starting') return;
    restingLevels(ctx, this.owner, w);
    const last = ctx.s.lastPrice;
    if (st.inRange) {
      watchBelow(w, st.lower);
      watchAbove(w, st.upper);
    } else if (last < st.lower) watchAbove(w, st.lower);
    else watchBelow(w, st.upper);
  }
}
