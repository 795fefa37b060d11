/**
 * A paper-like exchange for engine tests and the engine benchmark: it takes an engine's intents,
 * checks each order as a strict exchange would (tick, step, minimums, free balance, seq order),
 * fills market orders at the last price given to the engine and limit orders when a candle trades
 * through them, and feeds the resulting order updates and fills back. Every input the engine got
 * is logged, so a run can be replayed.
 */
import type { MarketRules } from '../../../src/exchange/types.js';
import type { DomainEvent, Engine, EngineEvent, EngineOutput, Intent, PriceEvent } from '../../../src/engines/types.js';

export interface SimOptions {
  /** Fill when the price touches the limit (default: only when it trades through). */
  touch?: boolean;
  /** Fill only part of an order the first time it is crossed. */
  partial?: boolean;
  /** Fee currency of buys: base (Binance default) or quote. */
  buyFeeIn?: 'base' | 'quote';
  /** Report fills only (no 'filled' status), like a feed that only streams trades. */
  fillsOnly?: boolean;
  /** Bypass the engine's wake-range shortcut (every price event processed in full). */
  unfiltered?: boolean;
  /** Deliver every fill twice (same trade id), as a feed that repeats itself after a reconnect. */
  duplicates?: boolean;
  /** Report 'filled' before the trades arrive (the engine must wait for the fills). */
  statusFirst?: boolean;
}

interface SimOrder {
  seq: number;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  price: number;
  amount: number;
  filled: number;
  crossed: number;
}

export interface Logged {
  ev: EngineEvent;
  now: number;
}

/** Calls the shell's unfiltered entry point (engines built on EngineShell have it). */
export function unfilteredCall(e: Engine, ev: EngineEvent, now: number): EngineOutput {
  const f = (e as Engine & { onEventUnfiltered?: (ev: EngineEvent, now: number) => EngineOutput }).onEventUnfiltered;
  if (f === undefined) throw new Error('this engine has no unfiltered entry point');
  return f.call(e, ev, now);
}

const onGrid = (v: number, step: number): boolean => Math.abs(v / step - Math.round(v / step)) < 1e-6;

export class PaperSim {
  quote: number;
  base: number;
  readonly orders = new Map<number, SimOrder>();
  readonly violations: string[] = [];
  readonly inputs: Logged[] = [];
  readonly intents: Intent[] = [];
  readonly events: DomainEvent[] = [];
  lastFed = 0;
  /** The price "now" inside a candle's path (marketable limit orders fill against it). */
  mark = 0;
  private lastSeq = 0;
  private trade = 0;
  private queue: Logged[] = [];

  constructor(
    public engine: Engine,
    readonly rules: MarketRules,
    quote: number,
    base: number,
    readonly opts: SimOptions = {},
  ) {
    this.quote = quote;
    this.base = base;
  }

  private lockedQuote(): number {
    let s = 0;
    for (const o of this.orders.values()) if (o.side === 'buy') s += (o.amount - o.filled) * (o.type === 'market' ? this.lastFed * (1 + this.rules.takerFee) : o.price);
    return s;
  }

  private lockedBase(): number {
    let s = 0;
    for (const o of this.orders.values()) if (o.side === 'sell') s += o.amount - o.filled;
    return s;
  }

  /** Feeds one event (and everything it causes) to the engine. */
  feed(ev: EngineEvent, now: number): void {
    if (ev.type === 'candle') this.lastFed = this.mark = ev.close;
    else if (ev.type === 'tick') this.lastFed = this.mark = ev.price;
    this.queue.push({ ev, now });
    this.drain();
  }

  private reject(seq: number, now: number, why: string): void {
    this.violations.push(`#${seq}: ${why}`);
    this.queue.push({ ev: { type: 'order', seq, status: 'rejected', filled: 0, reason: why }, now });
  }

  private handle(it: Intent, now: number): void {
    this.intents.push(it);
    if (it.kind === 'cancel') {
      const o = this.orders.get(it.seq);
      if (!o) return;
      this.orders.delete(it.seq);
      this.queue.push({ ev: { type: 'order', seq: it.seq, status: 'canceled', filled: o.filled }, now });
      return;
    }
    const r = this.rules;
    if (it.seq <= this.lastSeq) return this.reject(it.seq, now, `seq ${it.seq} is not above ${this.lastSeq}`);
    this.lastSeq = it.seq;
    const px = it.type === 'limit' ? it.price ?? NaN : this.lastFed;
    if (it.type === 'limit' && !(onGrid(px, r.tickSize) && px > 0)) return this.reject(it.seq, now, `price ${px} is off the tick ${r.tickSize}`);
    if (!onGrid(it.amount, r.stepSize) || !(it.amount > 0)) return this.reject(it.seq, now, `amount ${it.amount} is off the step ${r.stepSize}`);
    if (it.amount < r.minAmount) return this.reject(it.seq, now, `amount ${it.amount} below minAmount`);
    if (it.amount * px < r.minNotional * (1 - 1e-9)) return this.reject(it.seq, now, `notional ${it.amount * px} below minNotional`);
    if (it.side === 'buy') {
      const need = it.amount * (it.type === 'market' ? px * (1 + r.takerFee) : px);
      const free = this.quote - this.lockedQuote();
      if (need > free + 1e-6) return this.reject(it.seq, now, `buy needs ${need} quote, ${free} free`);
    } else {
      const free = this.base - this.lockedBase();
      if (it.amount > free + 1e-9) return this.reject(it.seq, now, `sell needs ${it.amount} base, ${free} free`);
    }
    const o: SimOrder = { seq: it.seq, side: it.side, type: it.type, price: px, amount: it.amount, filled: 0, crossed: 0 };
    this.orders.set(o.seq, o);
    if (it.type === 'market') return this.fill(o, this.lastFed, o.amount, now, true);
    const m = this.mark;
    const marketable = it.side === 'buy' ? px >= m : px <= m;
    if (marketable && m > 0) return this.fill(o, it.side === 'buy' ? Math.min(px, m) : Math.max(px, m), o.amount, now, true);
    this.queue.push({ ev: { type: 'order', seq: o.seq, status: 'open', filled: 0 }, now });
  }

  private fill(o: SimOrder, price: number, amount: number, now: number, taker: boolean): void {
    const r = this.rules;
    const rate = taker ? r.takerFee : r.makerFee;
    const id = `t${++this.trade}`;
    let fee: number;
    let feeCurrency: string;
    if (o.side === 'buy') {
      if (this.opts.buyFeeIn === 'quote') {
        fee = price * amount * rate;
        feeCurrency = r.quote;
        this.quote -= price * amount + fee;
        this.base += amount;
      } else {
        fee = amount * rate;
        feeCurrency = r.base;
        this.quote -= price * amount;
        this.base += amount - fee;
      }
    } else {
      fee = price * amount * rate;
      feeCurrency = r.quote;
      this.base -= amount;
      this.quote += price * amount - fee;
    }
    o.filled += amount;
    const done = o.filled >= o.amount - r.stepSize * 1e-6;
    if (done) this.orders.delete(o.seq);
    const fillEv: EngineEvent = { type: 'fill', tradeId: id, seq: o.seq, side: o.side, price, amount, fee, feeCurrency, time: now };
    const statusEv: EngineEvent = { type: 'order', seq: o.seq, status: 'filled', filled: o.filled };
    const report = done && !this.opts.fillsOnly;
    if (report && this.opts.statusFirst) this.queue.push({ ev: statusEv, now });
    this.queue.push({ ev: fillEv, now });
    if (this.opts.duplicates) this.queue.push({ ev: { ...fillEv }, now });
    if (report && !this.opts.statusFirst) this.queue.push({ ev: statusEv, now });
  }

  /**
   * One candle: walks open -> high -> low -> close for a down candle, open -> low -> high -> close
   * for an up candle, filling the resting limit orders the path trades through (orders placed while
   * walking rest until the next candle unless marketable), then gives the engine the candle.
   */
  candle(time: number, open: number, high: number, low: number, close: number, now = time + 60_000): void {
    const touch = this.opts.touch === true;
    const live = [...this.orders.values()].filter((o) => o.type === 'limit');
    const sells = live.filter((o) => o.side === 'sell' && (touch ? high >= o.price : high > o.price)).sort((a, b) => a.price - b.price || a.seq - b.seq);
    const buys = live.filter((o) => o.side === 'buy' && (touch ? low <= o.price : low < o.price)).sort((a, b) => b.price - a.price || a.seq - b.seq);
    const legs = close < open ? [sells, buys] : [buys, sells];
    this.mark = open;
    for (const leg of legs) {
      for (const o of leg) {
        if (!this.orders.has(o.seq)) continue;
        let amt = o.amount - o.filled;
        if (this.opts.partial && o.crossed === 0) {
          const half = Math.floor(amt / 2 / this.rules.stepSize) * this.rules.stepSize;
          if (half >= this.rules.stepSize) amt = Number(half.toFixed(10));
        }
        o.crossed++;
        const gapped = o.side === 'buy' ? open < o.price : open > o.price;
        const px = gapped ? open : o.price;
        this.mark = px;
        this.fill(o, px, amt, now, false);
        this.drain();
      }
    }
    this.feed({ type: 'candle', time, open, high, low, close } satisfies PriceEvent, now);
  }

  /** Whether a candle with this high/low would fill a resting order. */
  wouldFill(high: number, low: number): boolean {
    const touch = this.opts.touch === true;
    for (const o of this.orders.values()) {
      if (o.type !== 'limit') return true;
      if (o.side === 'buy' ? (touch ? low <= o.price : low < o.price) : touch ? high >= o.price : high > o.price) return true;
    }
    return false;
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.inputs.push(item);
      const out = this.opts.unfiltered ? unfilteredCall(this.engine, item.ev, item.now) : this.engine.onEvent(item.ev, item.now);
      for (const e of out.events) this.events.push(e);
      for (const it of out.intents) this.handle(it, item.now);
    }
  }

  /** A path of ticks: each price is a candle with open=high=low=close. */
  path(prices: readonly number[], t0 = 0, stepMs = 60_000): void {
    let t = t0;
    for (const p of prices) {
      this.candle(t, p, p, p, p, t + stepMs);
      t += stepMs;
    }
  }
}
