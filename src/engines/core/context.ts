/**
 * The engine-side order desk shared by every strategy: allocates sequence numbers, checks each
 * order against precision, minimums and the engine's own funds before it becomes an intent, books
 * fills (deduplicated by trade id) into the funds, and tells the owning strategy when an order is
 * done. Strategies never build intents themselves.
 */
import type { MarketRules, OrderType, Side } from '../../exchange/types.js';
import { floorToStep, passivePrice, roundMoney } from '../../lib/precision.js';
import type { DomainEvent, EngineOutput, FillEvent, Intent, OrderStatusEvent, TrackedOrderView } from '../types.js';
import type { CoreState, OrderRecord } from './state.js';

/** Extra quote reserved for a market buy, on top of the taker fee (price moves before it fills). */
export const MARKET_SLIPPAGE = 0.005;
const RECENT_KEPT = 32;

export const EMPTY_OUTPUT: EngineOutput = Object.freeze({ intents: Object.freeze([]) as readonly Intent[], events: Object.freeze([]) as readonly DomainEvent[] });

export interface OwnerHooks {
  /** Every booked fill (late = the order was already done). Accounting only. */
  onFill?(order: OrderRecord, fill: FillEvent, late: boolean): void;
  /** The order is finished: fully filled, or terminal with all reported fills booked. */
  onDone(order: OrderRecord): void;
}

export type SkipReason = '' | 'below_minimum' | 'insufficient_funds' | 'no_price' | 'not_allowed';

export interface PlaceOptions {
  /** Sell: shrink to the free base instead of skipping when short. */
  shrink?: boolean;
}

export class Ctx {
  now = 0;
  /** Set whenever something the wake range depends on may have changed. */
  dirty = true;
  lastSkip: SkipReason = '';
  lastSkipDetail = '';
  private intents: Intent[] | null = null;
  private events: DomainEvent[] | null = null;
  private readonly index = new Map<number, OrderRecord>();
  private readonly hooks = new Map<string, OwnerHooks>();
  readonly tol: number;

  constructor(
    public s: CoreState,
    readonly rules: MarketRules,
  ) {
    this.tol = rules.stepSize * 1e-3;
    this.reindex();
  }

  register(owner: string, hooks: OwnerHooks): void {
    this.hooks.set(owner, hooks);
  }

  /** After replacing `s` (restore). */
  reindex(): void {
    this.index.clear();
    for (const o of this.s.orders) this.index.set(o.seq, o);
    this.dirty = true;
  }

  begin(now: number): void {
    this.now = now;
    this.intents = null;
    this.events = null;
  }

  output(): EngineOutput {
    if (this.intents === null && this.events === null) return EMPTY_OUTPUT;
    const out = { intents: this.intents ?? EMPTY_OUTPUT.intents, events: this.events ?? EMPTY_OUTPUT.events };
    this.intents = null;
    this.events = null;
    return out;
  }

  emit(ev: Omit<DomainEvent, 'time'>): void {
    const full = ev as DomainEvent;
    full.time = this.now;
    (this.events ??= []).push(full);
  }

  order(seq: number): OrderRecord | undefined {
    return this.index.get(seq);
  }

  hasLive(owner?: string): boolean {
    if (owner === undefined) return this.s.orders.length > 0;
    for (const o of this.s.orders) if (o.owner === owner) return true;
    return false;
  }

  lockedQuote(): number {
    let sum = 0;
    for (const o of this.s.orders) if (o.side === 'buy') sum += this.reserveOf(o, o.amount - o.filled);
    return sum;
  }

  lockedBase(): number {
    let sum = 0;
    for (const o of this.s.orders) if (o.side === 'sell') sum += o.amount - o.filled;
    return sum;
  }

  freeQuote(): number {
    return this.s.quote - this.lockedQuote();
  }

  freeBase(): number {
    return this.s.base - this.lockedBase();
  }

  private reserveOf(o: { type: OrderType; price: number }, amount: number): number {
    if (amount <= 0) return 0;
    // The fee is included: some exchanges charge a buy's fee in quote on top of the price.
    return o.type === 'market' ? amount * o.price * (1 + this.rules.takerFee + MARKET_SLIPPAGE) : amount * o.price * (1 + this.rules.makerFee);
  }

  /** Smallest amount (base) an order at `price` may have: minAmount, minNotional, step. */
  minAmountAt(price: number): number {
    const r = this.rules;
    const byNotional = price > 0 ? r.minNotional / price : Infinity;
    const raw = Math.max(r.minAmount, byNotional);
    const steps = Math.ceil(raw / r.stepSize - 1e-9);
    return Number((steps * r.stepSize).toFixed(12));
  }

  private skip(reason: SkipReason, detail: string): number {
    this.lastSkip = reason;
    this.lastSkipDetail = detail;
    return 0;
  }

  /**
   * Turns a wish into a place intent, or returns 0 (with lastSkip/lastSkipDetail) when it would
   * break precision, minimums, the engine's funds or the risk mode. Limit prices snap toward the
   * passive side; amounts floor to the step.
   */
  place(owner: string, tag: string, ref: number, side: Side, type: OrderType, price: number, amount: number, opts?: PlaceOptions): number {
    const r = this.rules;
    if (this.s.risk === 'halted' && !(side === 'sell' && tag.endsWith('flatten'))) return this.skip('not_allowed', 'trading is halted');
    if (this.s.risk === 'reducing' && side === 'buy') return this.skip('not_allowed', 'the bot is reducing exposure');
    let px: number;
    if (type === 'limit') px = passivePrice(price, r.tickSize, side);
    else px = this.s.lastPrice;
    if (!(px > 0)) return this.skip('no_price', 'no price known yet');
    let amt = floorToStep(amount, r.stepSize);
    if (r.maxAmount !== undefined && r.maxAmount > 0 && amt > r.maxAmount) amt = floorToStep(r.maxAmount, r.stepSize);
    if (side === 'sell') {
      const free = this.freeBase();
      if (amt > free + this.tol) {
        if (!opts?.shrink) return this.skip('insufficient_funds', `needs ${amt} ${r.base}, ${roundMoney(free)} free`);
        amt = floorToStep(Math.max(0, free), r.stepSize);
      }
    }
    if (amt < r.minAmount - this.tol || amt <= 0 || amt * px < r.minNotional * (1 - 1e-9)) {
      return this.skip('below_minimum', `${amt} ${r.base} at ${px} is below the exchange minimum (${r.minAmount} ${r.base}, ${r.minNotional} ${r.quote})`);
    }
    if (side === 'buy') {
      const need = this.reserveOf({ type, price: px }, amt);
      const free = this.freeQuote();
      if (need > free + 1e-9 * Math.max(1, need)) return this.skip('insufficient_funds', `needs ${roundMoney(need, 2)} ${r.quote}, ${roundMoney(free, 2)} free`);
    }
    const seq = this.s.nextSeq++;
    const rec: OrderRecord = {
      seq, owner, tag, ref, side, type, price: px, amount: amt, status: 'pending',
      filled: 0, cost: 0, feeBase: 0, feeQuote: 0, reported: 0, final: '', cancel: '', trades: [],
    };
    this.s.orders.push(rec);
    this.index.set(seq, rec);
    const intent: Intent = type === 'limit' ? { kind: 'place', seq, side, type, price: px, amount: amt, tag } : { kind: 'place', seq, side, type, amount: amt, tag };
    (this.intents ??= []).push(intent);
    this.lastSkip = '';
    this.dirty = true;
    return seq;
  }

  /**
   * Tag for an exit sale: '<prefix>-flatten' while halted (the only sales a halt lets through),
   * or when the halt asked for it; otherwise the strategy's usual tag.
   */
  exitTag(prefix: string, usual: string, forRisk = false): string {
    return forRisk || this.s.risk === 'halted' ? `${prefix}-flatten` : usual;
  }

  /** Asks to cancel a live order once; false when unknown or already asked. */
  cancel(seq: number, reason: string): boolean {
    const o = this.index.get(seq);
    if (!o || o.cancel !== '' || o.final !== '') return false;
    o.cancel = reason;
    (this.intents ??= []).push({ kind: 'cancel', seq, reason });
    this.dirty = true;
    return true;
  }

  /** Cancels every live order of an owner (optionally one side); returns how many are still live. */
  cancelAll(owner: string, reason: string, side?: Side): number {
    let live = 0;
    for (const o of this.s.orders) {
      if (o.owner !== owner || (side !== undefined && o.side !== side)) continue;
      live++;
      this.cancel(o.seq, reason);
    }
    return live;
  }

  applyFill(ev: FillEvent): void {
    let o = this.index.get(ev.seq);
    let late = false;
    if (o === undefined) {
      o = this.s.recent.find((r) => r.seq === ev.seq);
      if (o === undefined) return;
      late = true;
    }
    if (!(ev.amount > 0) || o.trades.includes(ev.tradeId)) return;
    const r = this.rules;
    // Some venues report market fills with price 0: value them at the order's reference price
    // (and never use a market order's price as a level anywhere).
    const price = ev.price > 0 ? ev.price : o.price;
    o.trades.push(ev.tradeId);
    o.filled += ev.amount;
    o.cost += price * ev.amount;
    let feeB = 0;
    let feeQ = 0;
    if (ev.fee > 0) {
      if (ev.feeCurrency === r.base) feeB = ev.fee;
      else if (ev.feeCurrency === r.quote) feeQ = ev.fee;
      else this.s.otherFees = roundMoney(this.s.otherFees + ev.fee, 10);
    }
    o.feeBase += feeB;
    o.feeQuote += feeQ;
    const s = this.s;
    if (o.side === 'buy') {
      s.quote = roundMoney(s.quote - price * ev.amount - feeQ, 10);
      s.base = roundMoney(s.base + ev.amount - feeB, 10);
    } else {
      s.quote = roundMoney(s.quote + price * ev.amount - feeQ, 10);
      s.base = roundMoney(s.base - ev.amount - feeB, 10);
    }
    if (o.status === 'pending') o.status = 'open';
    this.dirty = true;
    this.hooks.get(o.owner)?.onFill?.(o, price === ev.price ? ev : { ...ev, price }, late);
    if (late) {
      this.emit({ type: 'late_fill', seq: o.seq, side: o.side, price, amount: ev.amount, fee: ev.fee, feeCurrency: ev.feeCurrency, message: `A fill for order #${o.seq} arrived after the order was closed; the funds were updated.` });
      return;
    }
    this.settle(o);
  }

  applyStatus(ev: OrderStatusEvent): void {
    const o = this.index.get(ev.seq);
    if (o === undefined) return;
    this.dirty = true;
    if (ev.filled > o.reported) o.reported = ev.filled;
    if (ev.status === 'open' || ev.status === 'partially_filled') {
      if (o.status === 'pending') o.status = 'open';
      this.settle(o);
      return;
    }
    o.final = ev.status;
    if (ev.status === 'filled' && !(ev.filled > 0)) o.reported = Math.max(o.reported, o.amount);
    if (ev.status === 'rejected' && o.cancel === '') {
      this.emit({ type: 'order_rejected', seq: o.seq, side: o.side, price: o.type === 'limit' ? o.price : undefined, amount: o.amount, reason: ev.reason ?? 'rejected', message: `Order #${o.seq} (${o.tag}) was rejected${ev.reason ? `: ${ev.reason}` : ''}.` });
    }
    this.settle(o);
  }

  /** Marks the order done when its fills are complete; otherwise it stays in flight. */
  private settle(o: OrderRecord): void {
    const complete = o.filled >= o.amount - this.tol || (o.final !== '' && o.filled >= o.reported - this.tol);
    if (!complete) {
      if (o.final !== '') o.status = 'closing';
      return;
    }
    o.status = 'done';
    const list = this.s.orders;
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
    this.index.delete(o.seq);
    const recent = this.s.recent;
    recent.push(o);
    if (recent.length > RECENT_KEPT) recent.shift();
    this.dirty = true;
    if (o.filled > 0) {
      const px = roundMoney(o.cost / o.filled, 10);
      const fee = o.side === 'buy' ? o.feeBase || o.feeQuote : o.feeQuote || o.feeBase;
      const feeCur = fee === o.feeBase && o.feeBase > 0 ? this.rules.base : this.rules.quote;
      const partial = o.filled < o.amount - this.tol;
      this.emit({
        type: 'filled', seq: o.seq, side: o.side, price: px, amount: o.filled, fee, feeCurrency: feeCur, reason: o.tag,
        message: `${o.side === 'buy' ? 'Bought' : 'Sold'} ${o.filled} ${this.rules.base} at ${px}${partial ? ` (${o.final || 'partly'}: ${o.filled} of ${o.amount})` : ''}, fee ${roundMoney(fee)} ${feeCur} (${o.tag}).`,
      });
    }
    this.hooks.get(o.owner)?.onDone(o);
  }

  views(): TrackedOrderView[] {
    return this.s.orders.map((o) => ({
      seq: o.seq, side: o.side, type: o.type, price: o.price, amount: o.amount, filled: o.filled, tag: o.tag,
      status: o.status === 'done' ? 'closing' : o.status, cancelRequested: o.cancel !== '',
    }));
  }
}
