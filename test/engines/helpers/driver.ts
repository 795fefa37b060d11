/** Hand-driven engine: feed events one by one and look at what comes out. */
import type { CancelIntent, DomainEvent, Engine, EngineEvent, EngineOutput, Intent, PlaceIntent } from '../../../src/engines/types.js';

export class Driver {
  now = 1_700_000_000_000;
  private trade = 0;
  readonly all: EngineOutput[] = [];

  constructor(public engine: Engine) {}

  feed(ev: EngineEvent, advanceMs = 0): EngineOutput {
    this.now += advanceMs;
    const out = this.engine.onEvent(ev, this.now);
    this.all.push(out);
    return out;
  }

  /** A one-minute candle; open defaults to the previous close semantics of the caller. */
  candle(o: number, h: number, l: number, c: number): EngineOutput {
    return this.feed({ type: 'candle', time: this.now, open: o, high: h, low: l, close: c }, 60_000);
  }

  /** A flat candle at one price. */
  at(price: number): EngineOutput {
    return this.candle(price, price, price, price);
  }

  tick(price: number): EngineOutput {
    return this.feed({ type: 'tick', price, time: this.now }, 1_000);
  }

  ack(seq: number): EngineOutput {
    return this.feed({ type: 'order', seq, status: 'open', filled: 0 });
  }

  /** Acknowledges every place intent of an output. */
  ackAll(out: EngineOutput): void {
    for (const p of places(out)) this.ack(p.seq);
  }

  /** One trade of an order; fee in base for buys, in quote for sells (rate 0.1 % unless given). */
  fill(p: PlaceIntent | { seq: number; side: 'buy' | 'sell'; price?: number; amount: number }, opts: { amount?: number; price?: number; fee?: number; feeCurrency?: string; tradeId?: string; base?: string; quote?: string } = {}): EngineOutput {
    const amount = opts.amount ?? p.amount;
    const price = opts.price ?? p.price ?? 0;
    const base = opts.base ?? 'XYZ';
    const quote = opts.quote ?? 'USDT';
    const fee = opts.fee ?? (p.side === 'buy' ? amount * 0.001 : amount * price * 0.001);
    const feeCurrency = opts.feeCurrency ?? (p.side === 'buy' ? base : quote);
    return this.feed({ type: 'fill', tradeId: opts.tradeId ?? `T${++this.trade}`, seq: p.seq, side: p.side, price, amount, fee, feeCurrency, time: this.now });
  }

  status(seq: number, status: 'open' | 'filled' | 'canceled' | 'rejected' | 'expired', filled: number): EngineOutput {
    return this.feed({ type: 'order', seq, status, filled });
  }

  /** Fills an order completely and reports it filled; returns the outputs merged. */
  fillAll(p: PlaceIntent, opts: Parameters<Driver['fill']>[1] = {}): EngineOutput {
    const a = this.fill(p, opts);
    const b = this.status(p.seq, 'filled', opts.amount ?? p.amount);
    return merge(a, b);
  }

  /** Confirms every cancel intent of an output (nothing filled). */
  confirmCancels(out: EngineOutput, filled = 0): EngineOutput {
    let acc: EngineOutput = { intents: [], events: [] };
    for (const c of cancels(out)) acc = merge(acc, this.status(c.seq, 'canceled', filled));
    return acc;
  }
}

export const places = (out: EngineOutput): PlaceIntent[] => out.intents.filter((i): i is PlaceIntent => i.kind === 'place');
export const cancels = (out: EngineOutput): CancelIntent[] => out.intents.filter((i): i is CancelIntent => i.kind === 'cancel');
export const eventsOf = (out: EngineOutput, type: DomainEvent['type']): DomainEvent[] => out.events.filter((e) => e.type === type);
export const types = (out: EngineOutput): string[] => out.events.map((e) => e.type);

export function merge(...outs: EngineOutput[]): EngineOutput {
  const intents: Intent[] = [];
  const events: DomainEvent[] = [];
  for (const o of outs) {
    intents.push(...o.intents);
    events.push(...o.events);
  }
  return { intents, events };
}

export function one<T>(list: readonly T[], what = 'item'): T {
  if (list.length !== 1) throw new Error(`expected exactly one ${what}, got ${list.length}`);
  return list[0]!;
}
