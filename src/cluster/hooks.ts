/**
 * What the multi-process setup (and the metrics) plug into the trading side built by
 * src/app/trading-setup.ts. Every field is optional: with none, one process does everything.
 */
import type { AdapterEvent } from '../exchange/ccxt/adapter.js';
import type { PaperStateStore } from '../exchange/paper/state.js';
import type { ExchangePort } from '../exchange/types.js';
import type { TradingLoopDeps } from '../jobs/trading-loop.js';

export type LoopHooks = Partial<
  Pick<TradingLoopDeps, 'owns' | 'beforeSync' | 'disown' | 'remote' | 'accountExposures' | 'onTick' | 'onTickError' | 'onSlowCycle' | 'onCycle'>
>;

export interface TradingHooks {
  /** The live adapter's events (retries, lookups, resyncs), for metrics. */
  onExchangeEvent?: (e: AdapterEvent) => void;
  /** Replaces the paper account's store (read-only in the bot role, lease-fenced in a worker). */
  paperStore?: (store: PaperStateStore) => PaperStateStore;
  /** Wraps the exchange port the whole app uses (metrics, the lease guard, the bot role's read-through paper view). */
  exchange?: (port: ExchangePort) => ExchangePort;
  /** Extra trading loop dependencies (leases, remote control, risk across workers, metrics). */
  loop?: LoopHooks;
  /** Alerts were queued and committed (wake the sender in whichever process runs it). */
  onAlertsQueued?: () => void;
}

/** Composes hook sets (metrics first, then the cluster's): exchange wrappers nest, callbacks all run. */
export function combineHooks(...sets: (TradingHooks | undefined)[]): TradingHooks {
  const hs = sets.filter((h): h is TradingHooks => h !== undefined);
  const each = <A extends unknown[]>(pick: (h: TradingHooks) => ((...a: A) => void) | undefined) => {
    const fns = hs.map(pick).filter((f): f is (...a: A) => void => f !== undefined);
    return fns.length === 0 ? undefined : (...a: A) => fns.forEach((f) => f(...a));
  };
  const loop: LoopHooks = {};
  for (const h of hs) Object.assign(loop, h.loop);
  const onTick = each((h) => h.loop?.onTick);
  const onTickError = each((h) => h.loop?.onTickError);
  const onSlowCycle = each((h) => h.loop?.onSlowCycle);
  const onCycle = each((h) => h.loop?.onCycle);
  if (onTick) loop.onTick = onTick;
  if (onTickError) loop.onTickError = onTickError;
  if (onSlowCycle) loop.onSlowCycle = onSlowCycle;
  if (onCycle) loop.onCycle = onCycle;
  const out: TradingHooks = { loop };
  const onExchangeEvent = each((h) => h.onExchangeEvent);
  const onAlertsQueued = each((h) => h.onAlertsQueued);
  if (onExchangeEvent) out.onExchangeEvent = onExchangeEvent;
  if (onAlertsQueued) out.onAlertsQueued = onAlertsQueued;
  const stores = hs.map((h) => h.paperStore).filter((f) => f !== undefined);
  if (stores.length > 0) out.paperStore = (s) => stores.reduce((acc, f) => f(acc), s);
  const wraps = hs.map((h) => h.exchange).filter((f) => f !== undefined);
  if (wraps.length > 0) out.exchange = (p) => wraps.reduce((acc, f) => f(acc), p);
  return out;
}
