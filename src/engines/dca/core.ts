/**
 * DCA deals: a market base order, safety orders resting below (a few at a time), a take-profit
 * from the average entry (a resting limit sell, or trailing: a market sell once the price falls
 * back by the trailing deviation from its peak), a stop-loss from the average entry (optionally
 * moved to break-even), a cooldown between deals, and a cap on the number of deals.
 * The deal moves on fills only: its quantity and cost come from booked fills.
 */
import { roundMoney } from '../../lib/precision.js';
import type { Ctx, OwnerHooks } from '../core/context.js';
import { alwaysWake, restingLevels, watchAbove, watchBelow } from '../core/shell.js';
import type { OrderRecord } from '../core/state.js';
import type { ControlEvent, FillEvent, PriceEvent, WakeRange } from '../types.js';
import type { DcaConfig } from './config.js';
import { ladderDeviations, ladderVolumes } from './ladder.js';
import type { DcaDeal, DcaState, DealExit } from './state.js';
import { avgEntry } from './state.js';

export class DcaCore implements OwnerHooks {
  constructor(
    readonly ctx: Ctx,
    public st: DcaState,
    readonly c: DcaConfig,
    readonly owner = 'dca',
  ) {}

  private newDeal(): DcaDeal {
    const c = this.c;
    return {
      id: this.st.deals + 1, openedAt: this.ctx.now, basePrice: 0, qty: 0, cost: 0, realised: 0, soPrices: [], soAmounts: [], soNext: 0, soFilled: 0,
      tp: c.take_profit, trailing: c.trailing, td: c.trailing_deviation, sl: c.stop_loss ?? 0, be: c.breakeven ?? 0,
      tpSeq: 0, tpRefresh: false, trailActive: false, peak: 0, stopPrice: 0, breakevenDone: false, exitSeq: 0, exit: '', exitFlatten: false,
    };
  }

  onPrice(ev: PriceEvent): void {
    const { ctx, st } = this;
    if (st.phase === 'idle') return this.maybeOpen();
    const d = st.deal;
    if (st.phase !== 'open' || d === null) return;
    const low = ev.type === 'candle' ? ev.low : ev.price;
    // Stop-loss first when it lies inside the candle (pessimistic).
    if (d.stopPrice > 0 && low <= d.stopPrice) {
      const why = d.breakevenDone && d.stopPrice >= avgEntry(d) ? 'break-even stop' : 'stop-loss';
      ctx.emit({ type: 'stop_loss', price: d.stopPrice, reason: 'stop_loss', message: `Deal ${d.id}: ${why} ${roundMoney(d.stopPrice, 8)} reached; selling ${d.qty} ${ctx.rules.base} at market.` });
      return this.close('stop_loss', true);
    }
    if (ev.type === 'tick') return this.point(d, ev.price);
    // Path inside the candle: open -> high -> low -> close when it closed down, else open -> low -> high -> close.
    const down = ev.close < ev.open;
    this.point(d, ev.open);
    if (st.phase === 'open') this.point(d, down ? ev.high : ev.low);
    if (st.phase === 'open') this.point(d, down ? ev.low : ev.high);
    if (st.phase === 'open') this.point(d, ev.close);
  }

  private point(d: DcaDeal, p: number): void {
    const ctx = this.ctx;
    const avg = avgEntry(d);
    if (d.be > 0 && !d.breakevenDone && p >= avg * (1 + d.be / 100)) {
      d.breakevenDone = true;
      const be = avg / (1 - ctx.rules.takerFee);
      if (be > d.stopPrice) d.stopPrice = be;
      ctx.emit({ type: 'breakeven', price: be, message: `Deal ${d.id}: the stop moves to break-even at ${roundMoney(be, 8)}.` });
    }
    if (!d.trailing) return;
    if (!d.trailActive) {
      if (p < avg * (1 + d.tp / 100)) return;
      d.trailActive = true;
      d.peak = p;
      ctx.emit({ type: 'trailing_activated', price: p, message: `Deal ${d.id}: take-profit level reached at ${p}; trailing by ${d.td}%.` });
      return;
    }
    if (p > d.peak) d.peak = p;
    else if (p <= d.peak * (1 - d.td / 100)) {
      ctx.emit({ type: 'take_profit', price: p, reason: 'trailing', message: `Deal ${d.id}: the price fell ${d.td}% from its peak ${d.peak}; selling at market.` });
      this.close('trailing', true);
    }
  }

  private maybeOpen(): void {
    const { ctx, st, c } = this;
    if (ctx.s.risk !== 'active' || ctx.now < st.cooldownUntil) return;
    if (c.max_deals > 0 && st.deals >= c.max_deals) return;
    const price = ctx.s.lastPrice;
    const seq = ctx.place(this.owner, 'dca-base', 0, 'buy', 'market', price, c.base_order / price);
    if (seq === 0) {
      if (ctx.lastSkip === 'not_allowed') return;
      st.phase = 'stopped';
      st.error = ctx.lastSkipDetail;
      ctx.emit({ type: 'error', reason: ctx.lastSkip, message: `The DCA bot cannot open a deal: ${ctx.lastSkipDetail}.` });
      return;
    }
    st.openSeq = seq;
    st.phase = 'opening';
    const d = this.newDeal();
    d.qty = st.carryQty;
    d.cost = st.carryCost;
    st.carryQty = 0;
    st.carryCost = 0;
    st.deal = d;
  }

  onFill(o: OrderRecord, f: FillEvent): void {
    const d = this.st.deal;
    if (d === null) return;
    const r = this.ctx.rules;
    const feeB = f.feeCurrency === r.base ? f.fee : 0;
    const feeQ = f.feeCurrency === r.quote ? f.fee : 0;
    if (o.side === 'buy') {
      d.qty = roundMoney(d.qty + f.amount - feeB, 12);
      d.cost += f.price * f.amount + feeQ;
      return;
    }
    const out = f.amount + feeB;
    const basis = d.qty > 0 ? d.cost * Math.min(1, out / d.qty) : 0;
    d.cost -= basis;
    d.qty = roundMoney(Math.max(0, d.qty - out), 12);
    const profit = f.price * f.amount - feeQ - basis;
    d.realised += profit;
    this.ctx.s.realised = roundMoney(this.ctx.s.realised + profit);
  }

  onDone(o: OrderRecord): void {
    const { ctx, st } = this;
    const d = st.deal;
    if (o.seq === st.openSeq) {
      st.openSeq = 0;
      if (d === null || o.filled <= ctx.tol) {
        if (d !== null) {
          st.carryQty = d.qty;
          st.carryCost = d.cost;
        }
        st.deal = null;
        st.phase = 'idle';
        if (++st.rejects >= 3) {
          st.phase = 'stopped';
          st.error = 'the base order was refused 3 times';
          ctx.emit({ type: 'error', reason: 'rejected', message: 'The DCA bot stopped: its base order was refused 3 times in a row.' });
        }
        return;
      }
      st.rejects = 0;
      return this.openDeal(d, o);
    }
    if (d === null) return;
    if (o.seq === d.exitSeq) {
      d.exitSeq = 0;
      return this.finishIfFlat();
    }
    if (o.seq === d.tpSeq) {
      d.tpSeq = 0;
      if (st.phase === 'closing') return this.finishIfFlat();
      if (o.filled <= ctx.tol && o.final === 'rejected' && o.cancel === '') {
        ctx.emit({ type: 'order_skipped', seq: o.seq, side: 'sell', reason: 'rejected', message: `Deal ${d.id}: the take-profit order was refused; it is posted again after the next safety order (the stop-loss still applies).` });
        return;
      }
      if (o.filled >= o.amount - ctx.tol || d.qty < ctx.minAmountAt(ctx.s.lastPrice || o.price)) {
        ctx.emit({ type: 'take_profit', seq: o.seq, price: o.cost / o.filled, amount: o.filled, reason: 'take_profit', message: `Deal ${d.id}: take-profit filled at ${roundMoney(o.cost / o.filled, 8)}.` });
        return this.close('take_profit', false);
      }
      d.tpRefresh = false;
      return this.placeTP(d);
    }
    if (o.tag === 'dca-so') {
      if (st.phase === 'closing') return this.finishIfFlat();
      if (o.filled > ctx.tol) {
        d.soFilled++;
        ctx.emit({ type: 'safety_order_filled', seq: o.seq, side: 'buy', price: o.cost / o.filled, amount: o.filled, message: `Deal ${d.id}: safety order ${o.ref} filled at ${roundMoney(o.cost / o.filled, 8)}; average entry now ${roundMoney(avgEntry(d), 8)}.` });
        this.placeSOs(d);
        this.refreshTP(d);
      } else if (o.cancel !== '') {
        // Cancelled by us while reducing: post it again on resume.
        if (o.ref - 1 < d.soNext) d.soNext = o.ref - 1;
      } else {
        ctx.emit({ type: 'order_skipped', seq: o.seq, side: 'buy', reason: o.final, message: `Deal ${d.id}: safety order ${o.ref} was ${o.final || 'refused'}; the next one is posted instead.` });
        this.placeSOs(d);
      }
    }
  }

  private openDeal(d: DcaDeal, o: OrderRecord): void {
    const { ctx, st, c } = this;
    st.deals++;
    st.phase = 'open';
    d.basePrice = o.cost / o.filled;
    const devs = ladderDeviations(c.max_safety_orders, c.deviation, c.step_scale);
    const vols = ladderVolumes(c.max_safety_orders, c.safety_order, c.volume_scale);
    d.soPrices = devs.map((dv) => d.basePrice * (1 - dv / 100));
    d.soAmounts = vols.map((v, i) => v / d.soPrices[i]!);
    if (d.sl > 0) d.stopPrice = avgEntry(d) * (1 - d.sl / 100);
    ctx.emit({ type: 'deal_opened', seq: o.seq, side: 'buy', price: d.basePrice, amount: d.qty, message: `Deal ${d.id} opened: bought ${d.qty} ${ctx.rules.base} at ${roundMoney(d.basePrice, 8)}.` });
    if (ctx.s.risk === 'halted') return this.close('risk', d.exitFlatten);
    this.placeSOs(d);
    this.placeTP(d);
  }

  /** Keeps up to active_safety_orders resting. */
  private placeSOs(d: DcaDeal): void {
    const ctx = this.ctx;
    if (ctx.s.risk !== 'active') return;
    let resting = 0;
    for (const o of ctx.s.orders) if (o.owner === this.owner && o.tag === 'dca-so') resting++;
    while (resting < this.c.active_safety_orders && d.soNext < d.soPrices.length) {
      const n = d.soNext++;
      const seq = ctx.place(this.owner, 'dca-so', n + 1, 'buy', 'limit', d.soPrices[n]!, d.soAmounts[n]!);
      if (seq !== 0) resting++;
      else ctx.emit({ type: 'order_skipped', side: 'buy', price: d.soPrices[n], reason: ctx.lastSkip, message: `Deal ${d.id}: safety order ${n + 1} skipped: ${ctx.lastSkipDetail}.` });
    }
  }

  private refreshTP(d: DcaDeal): void {
    if (d.trailing) return;
    if (d.tpSeq !== 0) {
      d.tpRefresh = true;
      this.ctx.cancel(d.tpSeq, 'refresh take-profit');
    } else this.placeTP(d);
  }

  private placeTP(d: DcaDeal): void {
    if (d.trailing || this.st.phase !== 'open') return;
    const ctx = this.ctx;
    const price = avgEntry(d) * (1 + d.tp / 100);
    const seq = ctx.place(this.owner, 'dca-tp', 0, 'sell', 'limit', price, d.qty, { shrink: true });
    if (seq !== 0) d.tpSeq = seq;
    else ctx.emit({ type: 'order_skipped', side: 'sell', price, amount: d.qty, reason: ctx.lastSkip, message: `Deal ${d.id}: take-profit not posted: ${ctx.lastSkipDetail}.` });
  }

  /** Ends the deal: cancel what rests, then sell what is left at market (when `sell`, or leftovers after a take-profit). */
  close(exit: DealExit, sell: boolean): void {
    const { ctx, st } = this;
    const d = st.deal;
    if (d === null || st.phase !== 'open') return;
    st.phase = 'closing';
    d.exit = exit;
    d.exitFlatten = sell;
    ctx.cancelAll(this.owner, exit === 'risk' ? 'risk halt' : exit.replace('_', ' '));
    this.finishIfFlat();
  }

  private finishIfFlat(): void {
    const { ctx, st } = this;
    const d = st.deal;
    if (d === null || st.phase !== 'closing' || ctx.hasLive(this.owner)) return;
    const price = ctx.s.lastPrice;
    if (d.exitSeq === 0 && d.qty >= ctx.minAmountAt(price) && (d.exitFlatten || d.exit === 'take_profit')) {
      d.exitFlatten = false;
      const seq = ctx.place(this.owner, ctx.exitTag('dca', 'dca-close', d.exit === 'risk'), 0, 'sell', 'market', price, d.qty, { shrink: true });
      if (seq !== 0) {
        d.exitSeq = seq;
        return;
      }
    }
    if (d.exit !== 'risk' && d.qty > 0) {
      st.carryQty = d.qty;
      st.carryCost = d.cost;
    }
    const profit = roundMoney(d.realised);
    st.profit = roundMoney(st.profit + profit);
    if (profit >= 0) st.wins++;
    else st.losses++;
    st.deal = null;
    st.cooldownUntil = ctx.now + this.c.cooldown;
    ctx.emit({ type: 'deal_closed', profit, reason: d.exit, message: `Deal ${d.id} closed (${d.exit.replace('_', ' ')}): profit ${roundMoney(profit, 4)} ${ctx.rules.quote}${d.qty > 0 ? (d.exit === 'risk' ? `, ${d.qty} ${ctx.rules.base} still held` : `, ${d.qty} ${ctx.rules.base} too small to sell, carried into the next deal`) : ''}.` });
    const halted = d.exit === 'risk' || ctx.s.risk === 'halted';
    if (halted || (this.c.max_deals > 0 && st.deals >= this.c.max_deals)) {
      st.phase = 'stopped';
      ctx.emit({ type: 'stopped', reason: halted ? 'risk' : 'max_deals', profit: st.profit, message: `DCA bot stopped after ${st.deals} deals: profit ${roundMoney(st.profit, 2)} ${ctx.rules.quote}.` });
    } else st.phase = 'idle';
  }

  onControl(ev: ControlEvent): void {
    const { ctx, st } = this;
    if (ev.command === 'reduce') {
      ctx.cancelAll(this.owner, 'reducing exposure', 'buy');
      return;
    }
    if (ev.command === 'resume') {
      if (st.phase === 'open' && st.deal) this.placeSOs(st.deal);
      return;
    }
    if (st.phase === 'open') this.close('risk', ev.flatten === true);
    else if (st.phase === 'idle') {
      st.phase = 'stopped';
      ctx.emit({ type: 'stopped', reason: 'risk', profit: st.profit, message: `DCA bot stopped by the risk gate: profit ${roundMoney(st.profit, 2)} ${ctx.rules.quote}.` });
    } else if (st.phase === 'opening' && st.deal) {
      st.deal.exit = 'risk';
      st.deal.exitFlatten = ev.flatten === true;
    } else if (st.phase === 'closing' && st.deal) {
      // A closing sale already decided (stop-loss, trailing) goes on; a flatten adds one.
      if (ev.flatten === true) st.deal.exitFlatten = true;
    }
  }

  computeWake(w: WakeRange): void {
    const { st } = this;
    if (st.phase === 'idle') return alwaysWake(w);
    const d = st.deal;
    if (st.phase !== 'open' || d === null) return;
    restingLevels(this.ctx, this.owner, w);
    if (d.stopPrice > 0) watchBelow(w, d.stopPrice);
    const avg = avgEntry(d);
    if (d.be > 0 && !d.breakevenDone) watchAbove(w, avg * (1 + d.be / 100));
    if (d.trailing) {
      if (!d.trailActive) watchAbove(w, avg * (1 + d.tp / 100));
      else {
        watchAbove(w, d.peak);
        watchBelow(w, d.peak * (1 - d.td / 100));
      }
    }
  }
}
