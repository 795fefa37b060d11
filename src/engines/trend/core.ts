/**
 * Trend follower, long only. On each candle close: update EMA fast/slow and ATR; a bullish cross
 * (fast goes above slow) buys at market. Once the entry is filled: stop = entry - stop_atr * ATR,
 * first target = entry + target_atr * ATR. Inside a candle the stop is checked first (pessimistic),
 * then the target (sells partial_pct at market, then the stop moves to break-even); at the close
 * the stop trails highest - trail_atr * ATR. A bearish cross exits (exit_on_cross).
 * Ticks (live) check the stop and the target only; indicators move on candle closes only.
 */
import { roundMoney } from '../../lib/precision.js';
import type { Ctx, OwnerHooks } from '../core/context.js';
import { watchAbove, watchBelow } from '../core/shell.js';
import type { OrderRecord } from '../core/state.js';
import { atrNext, emaNext } from '../indicators.js';
import type { ControlEvent, FillEvent, PriceEvent, WakeRange } from '../types.js';
import type { TrendConfig } from './config.js';
import type { TrendState } from './state.js';

const OWNER = 'trend';

export class TrendCore implements OwnerHooks {
  constructor(
    readonly ctx: Ctx,
    public st: TrendState,
    readonly c: TrendConfig,
  ) {}

  onPrice(ev: PriceEvent): void {
    const st = this.st;
    if (st.phase === 'stopped') return;
    const low = ev.type === 'candle' ? ev.low : ev.price;
    const high = ev.type === 'candle' ? ev.high : ev.price;
    if (st.phase === 'long') this.checkLevels(low, high);
    if (ev.type === 'candle') this.onClose(ev.high, ev.low, ev.close);
  }

  private checkLevels(low: number, high: number): void {
    const st = this.st;
    if (st.stop > 0 && low <= st.stop) {
      const trailing = st.stop > st.initialStop;
      this.ctx.emit({ type: 'stop_loss', price: st.stop, reason: trailing ? 'trailing_stop' : 'stop_loss', message: `${trailing ? 'Trailing stop' : 'Stop-loss'} ${roundMoney(st.stop, 8)} reached; selling ${st.qty} ${this.ctx.rules.base} at market.` });
      this.exit(trailing ? 'trailing_stop' : 'stop_loss');
      return;
    }
    if (!st.partialDone && st.target > 0 && high >= st.target) this.partial();
    if (high > st.highest) st.highest = high;
  }

  private onClose(high: number, low: number, close: number): void {
    const { st, c } = this;
    const f = emaNext(st.fast, close);
    const s = emaNext(st.slow, close);
    const atr = atrNext(st.atr, high, low, close);
    if (st.phase === 'long' && st.atr.ready) {
      const trail = st.highest - c.trail_atr * atr;
      if (trail > st.stop) st.stop = trail;
    }
    if (!st.fast.ready || !st.slow.ready) return;
    const diff = f - s;
    const had = st.haveDiff;
    const prev = st.prevDiff;
    st.prevDiff = diff;
    st.haveDiff = true;
    if (!had) return; // the first difference after the warm-up: no cross can be judged yet
    if (prev <= 0 && diff > 0 && st.phase === 'flat' && st.atr.ready) this.enter(close);
    else if (prev >= 0 && diff < 0 && c.exit_on_cross && st.phase === 'long') this.exit('signal');
  }

  private enter(price: number): void {
    const { ctx, st } = this;
    if (ctx.s.risk !== 'active') return;
    const r = ctx.rules;
    const budget = Math.min(this.c.investment, ctx.freeQuote());
    const seq = ctx.place(OWNER, 'trend-entry', 0, 'buy', 'market', price, budget / (price * (1 + r.takerFee + 0.005)));
    if (seq === 0) {
      ctx.emit({ type: 'order_skipped', side: 'buy', reason: ctx.lastSkip, message: `Bullish cross at ${price}, but no entry: ${ctx.lastSkipDetail}.` });
      return;
    }
    st.entrySeq = seq;
    st.phase = 'entering';
    st.tradeProfit = 0;
  }

  private partial(): void {
    const { ctx, st } = this;
    st.partialDone = true;
    if (this.c.partial_pct <= 0) return;
    const amt = (st.qty * this.c.partial_pct) / 100;
    const seq = ctx.place(OWNER, 'trend-partial', 0, 'sell', 'market', ctx.s.lastPrice, amt, { shrink: true });
    if (seq === 0) {
      ctx.emit({ type: 'order_skipped', side: 'sell', reason: ctx.lastSkip, message: `First target ${roundMoney(st.target, 8)} reached, partial close skipped: ${ctx.lastSkipDetail}.` });
      return;
    }
    st.partialSeq = seq;
  }

  private exit(reason: string): void {
    const { ctx, st } = this;
    if (st.phase !== 'long') return;
    if (st.partialSeq !== 0) {
      st.exitWanted = reason;
      return;
    }
    st.phase = 'exiting';
    st.exitReason = reason;
    const tag = ctx.exitTag('trend', 'trend-exit', reason === 'risk');
    const seq = ctx.place(OWNER, tag, 0, 'sell', 'market', ctx.s.lastPrice, st.qty, { shrink: true });
    if (seq === 0) {
      ctx.emit({ type: 'order_skipped', side: 'sell', reason: ctx.lastSkip, message: `Exit (${reason}) not possible: ${ctx.lastSkipDetail}; the position is kept.` });
      this.closeTrade();
      return;
    }
    st.exitSeq = seq;
  }

  onFill(o: OrderRecord, f: FillEvent): void {
    const st = this.st;
    const r = this.ctx.rules;
    const feeB = f.feeCurrency === r.base ? f.fee : 0;
    const feeQ = f.feeCurrency === r.quote ? f.fee : 0;
    if (o.side === 'buy') {
      st.qty = roundMoney(st.qty + f.amount - feeB, 12);
      st.cost += f.price * f.amount + feeQ;
      return;
    }
    const out = f.amount + feeB;
    const basis = st.qty > 0 ? st.cost * Math.min(1, out / st.qty) : 0;
    st.cost -= basis;
    st.qty = roundMoney(Math.max(0, st.qty - out), 12);
    const profit = f.price * f.amount - feeQ - basis;
    st.tradeProfit += profit;
    this.ctx.s.realised = roundMoney(this.ctx.s.realised + profit);
  }

  onDone(o: OrderRecord): void {
    const { ctx, st, c } = this;
    if (o.seq === st.entrySeq) {
      st.entrySeq = 0;
      if (o.filled <= ctx.tol || st.qty < ctx.minAmountAt(o.cost / o.filled)) {
        st.phase = 'flat';
        return;
      }
      const atr = st.atr.value;
      st.phase = 'long';
      st.entry = st.cost / st.qty;
      st.stop = st.initialStop = st.entry - c.stop_atr * atr;
      st.target = st.entry + c.target_atr * atr;
      st.partialDone = c.partial_pct <= 0;
      st.highest = st.entry;
      st.trades++;
      ctx.emit({ type: 'entry', seq: o.seq, side: 'buy', price: o.cost / o.filled, amount: o.filled, message: `Trend entry: bought ${st.qty} ${ctx.rules.base} at ${roundMoney(o.cost / o.filled, 8)}; stop ${roundMoney(st.stop, 8)}, first target ${roundMoney(st.target, 8)}.` });
      if (ctx.s.risk === 'halted') {
        if (st.flattenOnHalt) this.exit('risk');
        else st.phase = 'stopped';
      }
      return;
    }
    if (o.seq === st.partialSeq) {
      st.partialSeq = 0;
      if (o.filled > ctx.tol) {
        if (c.breakeven_after_partial) {
          const be = st.entry / (1 - ctx.rules.takerFee);
          if (be > st.stop) st.stop = be;
        }
        ctx.emit({ type: 'partial_close', seq: o.seq, side: 'sell', price: o.cost / o.filled, amount: o.filled, profit: roundMoney(st.tradeProfit), message: `First target reached: sold ${o.filled} ${ctx.rules.base} at ${roundMoney(o.cost / o.filled, 8)}; stop now ${roundMoney(st.stop, 8)}.` });
      }
      if (st.qty < ctx.minAmountAt(ctx.s.lastPrice)) return this.closeTrade();
      if (st.exitWanted !== '') {
        const why = st.exitWanted;
        st.exitWanted = '';
        this.exit(why);
      }
      return;
    }
    if (o.seq === st.exitSeq) {
      st.exitSeq = 0;
      if (st.qty >= ctx.minAmountAt(ctx.s.lastPrice) && o.filled < o.amount - ctx.tol) {
        st.phase = 'long'; // the exit did not go through: keep managing the position
        return;
      }
      this.closeTrade();
    }
  }

  private closeTrade(): void {
    const { ctx, st } = this;
    const profit = roundMoney(st.tradeProfit);
    st.profit = roundMoney(st.profit + profit);
    if (profit >= 0) st.wins++;
    else st.losses++;
    const reason = st.exitReason || 'target';
    ctx.emit({ type: 'exit', profit, reason, message: `Trend trade ${st.trades} closed (${reason.replace('_', ' ')}): profit ${roundMoney(profit, 4)} ${ctx.rules.quote}.` });
    st.phase = reason === 'risk' ? 'stopped' : 'flat';
    st.exitReason = '';
    st.tradeProfit = 0;
    st.stop = st.initialStop = st.target = st.highest = 0;
  }

  onControl(ev: ControlEvent): void {
    const st = this.st;
    if (ev.command !== 'halt') return;
    st.flattenOnHalt = ev.flatten === true;
    if (st.phase === 'long') {
      if (ev.flatten === true) this.exit('risk');
      else st.phase = 'stopped';
    } else if (st.phase === 'flat') st.phase = 'stopped';
  }

  computeWake(w: WakeRange): void {
    const st = this.st;
    if (st.phase === 'stopped') return;
    w.everyClose = true;
    if (st.phase !== 'long') return;
    if (st.stop > 0) watchBelow(w, st.stop);
    if (!st.partialDone && st.target > 0) watchAbove(w, st.target);
    watchAbove(w, st.highest);
  }
}
