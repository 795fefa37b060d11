/** What the metrics take from the trading side (see src/cluster/hooks.ts for the hook points). */
import type { TradingHooks } from '../cluster/hooks.js';
import { instrumentExchange } from './instrumented-exchange.js';
import type { Metrics } from './metrics.js';

export function metricsHooks(m: Metrics): TradingHooks {
  return {
    onExchangeEvent: (e) => m.onAdapterEvent(e),
    exchange: (port) => instrumentExchange(port, m),
    onAlertsQueued: () => m.alertsEnqueued.inc(),
    loop: {
      onTick: (r) => m.onTick(r),
      onTickError: (_botId, leaseLost) => m.onTickError(leaseLost),
      onSlowCycle: (ms) => m.onSlowCycle(ms),
      onCycle: (ms) => m.onCycle(ms),
    },
  };
}
