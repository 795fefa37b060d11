/**
 * Closed trades and exit reasons, read from the engine's own domain events (the same events that
 * become alerts in live trading): grid cycles, closed deals, trend exits, and the closing sale of a
 * stopped grid (the realised profit no other event accounted for).
 */
import type { DomainEvent } from '../engines/types.js';

export interface ClosedTrade {
  time: number;
  /** Realised profit in quote, after fees. */
  profit: number;
  /** take_profit | stop_loss | grid_cycle | trailing | trailing_stop | risk | ... */
  reason: string;
}

export class TradeLedger {
  readonly trades: ClosedTrade[] = [];
  /** Realised profit carried by the trades so far. */
  private attributed = 0;
  cycles = 0;
  cycleProfit = 0;
  dealsOpened = 0;
  skippedOrders = 0;
  errors: string[] = [];

  /** `realised` is the engine's realised profit after the event's step. */
  onEvent(e: DomainEvent, realised: number): void {
    switch (e.type) {
      case 'grid_cycle': {
        const p = e.profit ?? 0;
        this.cycles++;
        this.cycleProfit += p;
        this.add(e.time, p, 'grid_cycle');
        break;
      }
      case 'deal_closed':
      case 'exit':
        this.add(e.time, e.profit ?? 0, e.reason ?? 'exit');
        break;
      case 'deal_opened':
      case 'entry':
        this.dealsOpened++;
        break;
      case 'stopped': {
        const rest = realised - this.attributed;
        if (Math.abs(rest) > 1e-9) this.add(e.time, rest, e.reason ?? 'stopped');
        break;
      }
      case 'order_skipped':
        this.skippedOrders++;
        break;
      case 'error':
        if (this.errors.length < 5) this.errors.push(e.message);
        break;
      default:
        break;
    }
  }

  private add(time: number, profit: number, reason: string): void {
    this.trades.push({ time, profit, reason });
    this.attributed += profit;
  }

  /** Trades per exit reason. */
  exits(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.trades) out[t.reason] = (out[t.reason] ?? 0) + 1;
    return out;
  }
}
