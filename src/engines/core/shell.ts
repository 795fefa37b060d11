/**
 * Wraps a strategy into the Engine contract: routes events, keeps the wake range, takes snapshots.
 * The price fast path (nothing to do inside the wake band) allocates nothing.
 */
import type { MarketRules } from '../../exchange/types.js';
import type { ControlEvent, Engine, EngineBalances, EngineEvent, EngineOutput, EngineSnapshot, PriceEvent, StrategyName, TrackedOrderView, WakeRange } from '../types.js';
import { Ctx, EMPTY_OUTPUT } from './context.js';
import type { CoreState } from './state.js';

export interface StrategyImpl {
  /** Handles a price event outside the wake band (lastPrice is already the event's last price). */
  onPrice(ev: PriceEvent): void;
  /** reduce / halt / resume; core.risk is already updated. */
  onControl(ev: ControlEvent): void;
  computeWake(w: WakeRange): void;
  phase(): string;
}

export interface RootState {
  core: CoreState;
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

/** Checks a snapshot's strategy and version and returns a private copy of its state. */
export function restoreState<S extends RootState>(snap: EngineSnapshot, strategy: StrategyName, version: number): S {
  if (snap.strategy !== strategy) throw new SnapshotError(`the saved state is for a ${snap.strategy} bot, not ${strategy}`);
  if (snap.version !== version) throw new SnapshotError(`the saved ${strategy} state has version ${snap.version}; this engine reads version ${version}`);
  const st = snap.state as Partial<RootState> | null;
  if (st === null || typeof st !== 'object' || typeof st.core !== 'object' || st.core === null || typeof st.core.nextSeq !== 'number') {
    throw new SnapshotError(`the saved ${strategy} state is incomplete (no order desk)`);
  }
  return structuredClone(snap.state) as S;
}

export class EngineShell<S extends RootState> implements Engine {
  private readonly w: WakeRange = { below: -Infinity, above: Infinity, everyClose: false };

  constructor(
    readonly strategy: StrategyName,
    private readonly version: number,
    private readonly root: S,
    readonly ctx: Ctx,
    private readonly impl: StrategyImpl,
  ) {}

  static ctxFor(root: RootState, rules: MarketRules): Ctx {
    return new Ctx(root.core, rules);
  }

  onEvent(ev: EngineEvent, now: number): EngineOutput {
    return this.handle(ev, now, true);
  }

  /**
   * The same without the wake-range shortcut: every price event is processed in full. Tests use it
   * to prove the shortcut sound (a price inside the wake range must change nothing).
   */
  onEventUnfiltered(ev: EngineEvent, now: number): EngineOutput {
    return this.handle(ev, now, false);
  }

  private handle(ev: EngineEvent, now: number, filter: boolean): EngineOutput {
    const ctx = this.ctx;
    switch (ev.type) {
      case 'candle':
      case 'tick': {
        let low: number;
        let high: number;
        let last: number;
        if (ev.type === 'candle') {
          low = ev.low;
          high = ev.high;
          last = ev.close;
        } else {
          low = high = last = ev.price;
        }
        if (!(last > 0)) return EMPTY_OUTPUT;
        const core = this.root.core;
        const w = this.wake();
        core.lastPrice = last;
        if (filter && !w.everyClose && low > w.below && high < w.above) return EMPTY_OUTPUT;
        ctx.begin(now);
        this.impl.onPrice(ev);
        break;
      }
      case 'fill':
        ctx.begin(now);
        ctx.applyFill(ev);
        break;
      case 'order':
        ctx.begin(now);
        ctx.applyStatus(ev);
        break;
      case 'control': {
        ctx.begin(now);
        const core = this.root.core;
        core.risk = ev.command === 'halt' ? 'halted' : ev.command === 'reduce' ? 'reducing' : 'active';
        this.impl.onControl(ev);
        break;
      }
      default:
        return EMPTY_OUTPUT;
    }
    ctx.dirty = true;
    return ctx.output();
  }

  wake(): Readonly<WakeRange> {
    if (this.ctx.dirty) {
      // Start from "no price matters" and let the strategy add its levels.
      this.w.below = -Infinity;
      this.w.above = Infinity;
      this.w.everyClose = false;
      this.impl.computeWake(this.w);
      this.ctx.dirty = false;
    }
    return this.w;
  }

  snapshot(): EngineSnapshot {
    return { strategy: this.strategy, version: this.version, state: structuredClone(this.root) };
  }

  balances(): EngineBalances {
    const c = this.root.core;
    return { quote: c.quote, base: c.base, lockedQuote: this.ctx.lockedQuote(), lockedBase: this.ctx.lockedBase(), lastPrice: c.lastPrice, realisedProfit: c.realised };
  }

  openOrders(): TrackedOrderView[] {
    return this.ctx.views();
  }

  phase(): string {
    return this.impl.phase();
  }
}

/** Wake helpers: orders resting on the book count as levels. */
export function restingLevels(ctx: Ctx, owner: string | null, w: WakeRange): void {
  for (const o of ctx.s.orders) {
    if (owner !== null && o.owner !== owner) continue;
    if (o.type !== 'limit') continue;
    if (o.side === 'buy') {
      if (o.price > w.below) w.below = o.price;
    } else if (o.price < w.above) w.above = o.price;
  }
}

/** Every price matters now (e.g. waiting for the first price). */
export function alwaysWake(w: WakeRange): void {
  w.below = Infinity;
  w.above = -Infinity;
}

/** Adds a level to watch from below (price falling to it) or above (rising to it). */
export function watchBelow(w: WakeRange, level: number): void {
  if (level > w.below) w.below = level;
}
export function watchAbove(w: WakeRange, level: number): void {
  if (level < w.above) w.above = level;
}
