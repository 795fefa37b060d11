import type { MarketRules } from '../../../src/exchange/types.js';
import type { ControlEvent, Engine, EngineEvent, EngineSnapshot } from '../../../src/engines/types.js';
import type { Bar } from './paths.js';
import type { SimOptions } from './sim.js';
import { PaperSim, unfilteredCall } from './sim.js';

export const MIN = 60_000;

export type Factory = (snapshot?: EngineSnapshot) => Engine;

export interface RunOptions extends SimOptions {
  /** Snapshot, serialise, restore into a new engine before bar i. */
  restoreAt?: number;
  /** Skip bars that cross no resting order and lie strictly inside the engine's wake range. */
  skipInsideWake?: boolean;
  /** Control commands (reduce / halt / resume) fed before the bar with the same index. */
  controls?: readonly { at: number; ev: ControlEvent }[];
  /** Called before each bar with the live engine (for probes). */
  before?: (engine: Engine, time: number) => void;
  t0?: number;
  barMs?: number;
}

export function runBars(make: Factory, rules: MarketRules, funds: { quote: number; base: number }, bars: readonly Bar[], opts: RunOptions = {}): { sim: PaperSim; skipped: number } {
  const sim = new PaperSim(make(), rules, funds.quote, funds.base, opts);
  const t0 = opts.t0 ?? 1_700_000_000_000;
  const ms = opts.barMs ?? MIN;
  let skipped = 0;
  bars.forEach((b, i) => {
    if (opts.restoreAt === i) {
      const json = JSON.stringify(sim.engine.snapshot());
      sim.engine = make(JSON.parse(json) as EngineSnapshot);
    }
    for (const c of opts.controls ?? []) if (c.at === i) sim.feed(c.ev, t0 + i * ms);
    opts.before?.(sim.engine, t0 + i * ms);
    // A control event needs a fresh price behind it (a flatten sells at the last price): do not skip the bar before.
    const controlNext = (opts.controls ?? []).some((c) => c.at === i + 1);
    if (opts.skipInsideWake && !controlNext) {
      const w = sim.engine.wake();
      if (!w.everyClose && b.l > w.below && b.h < w.above && !sim.wouldFill(b.h, b.l)) {
        skipped++;
        return;
      }
    }
    sim.candle(t0 + i * ms, b.o, b.h, b.l, b.c, t0 + (i + 1) * ms);
  });
  return { sim, skipped };
}

/**
 * The wake contract, probed: a candle spanning (almost) the whole band the engine says is quiet,
 * fed to a copy of the engine, must produce nothing and change nothing but the last price.
 */
export function probeWake(make: Factory, engine: Engine, time: number, tick: number): string | null {
  const w = engine.wake();
  if (!(w.below < w.above)) return null;
  const snap = engine.snapshot();
  const last = (snap.state as { core: { lastPrice: number } }).core.lastPrice;
  if (!(last > 0)) return null;
  const lo = Number.isFinite(w.below) ? w.below + Math.max(tick / 10, Math.abs(w.below) * 1e-9) : last * 0.3;
  const hi = Number.isFinite(w.above) ? w.above - Math.max(tick / 10, Math.abs(w.above) * 1e-9) : last * 3;
  if (!(lo < hi)) return null;
  const strip = (s: EngineSnapshot): string => {
    const c = JSON.parse(JSON.stringify(s)) as { state: { core: { lastPrice?: number } } };
    delete c.state.core.lastPrice;
    return JSON.stringify(c);
  };
  const before = strip(snap);
  // Candles (unless every close matters anyway), then single ticks at both ends.
  const probes: EngineEvent[] = w.everyClose ? [] : [
    { type: 'candle', time, open: lo, high: hi, low: lo, close: hi },
    { type: 'candle', time, open: hi, high: hi, low: lo, close: lo },
  ];
  probes.push({ type: 'tick', price: lo, time }, { type: 'tick', price: hi, time });
  for (const ev of probes) {
    const copy = make(JSON.parse(JSON.stringify(snap)) as EngineSnapshot);
    const out = unfilteredCall(copy, ev, time + 60_000);
    const what = ev.type === 'candle' ? `a candle ${lo}-${hi}` : `a tick at ${ev.type === 'tick' ? ev.price : ''}`;
    if (out.intents.length > 0 || out.events.length > 0) return `${what} inside the wake range (${w.below}, ${w.above}) produced ${JSON.stringify(out).slice(0, 300)}`;
    if (strip(copy.snapshot()) !== before) return `${what} inside the wake range (${w.below}, ${w.above}) changed the state`;
  }
  return null;
}
