/**
 * A runner's copy of its bot's order rows that are not final yet (pending, unknown, open, partially
 * filled), so an idle tick reads nothing from the database. It is loaded from the database, then kept
 * up to date with what the runner commits (the runner is the only writer of its bot's orders, fenced),
 * and reloaded after every `reloadEvery` reads from the copy, as a safety net.
 */
import { ACTIVE_ORDER_STATUSES, type NewOrder, type OrderRecord } from '../store/orders.js';
import type { OrderUpdate } from './unit-of-work.js';

const ACTIVE = new Set(ACTIVE_ORDER_STATUSES);

export class ActiveOrders {
  private rows: Map<string, OrderRecord> | null = null;
  private reads = 0;

  constructor(
    private readonly load: () => Promise<OrderRecord[]>,
    private readonly reloadEvery = 60,
  ) {}

  async list(): Promise<OrderRecord[]> {
    if (this.rows === null || ++this.reads >= this.reloadEvery) {
      this.reads = 0;
      this.rows = new Map((await this.load()).map((r) => [r.clientOrderId, r]));
    }
    return [...this.rows.values()];
  }

  /** What a transaction wrote, once it committed. */
  committed(newOrders: readonly NewOrder[], updates: ReadonlyMap<string, OrderUpdate>, at: Date): void {
    const rows = this.rows;
    if (rows === null) return;
    for (const o of newOrders) {
      const when = o.at ?? at;
      rows.set(o.clientOrderId, {
        clientOrderId: o.clientOrderId, botId: o.botId, seq: o.seq, symbol: o.symbol, side: o.side, type: o.type, price: o.price, amount: o.amount,
        filled: 0, average: null, tag: o.tag, status: 'pending', exchangeOrderId: null, error: null, createdAt: when, updatedAt: when,
      });
    }
    for (const [cid, u] of updates) {
      const r = rows.get(cid);
      if (!r) continue; // a final row, or none: the update changed nothing active
      const next: OrderRecord = {
        ...r,
        status: u.status,
        ...(u.filled !== undefined ? { filled: u.filled } : {}),
        ...(u.average !== undefined ? { average: u.average } : {}),
        ...(u.exchangeOrderId !== undefined ? { exchangeOrderId: u.exchangeOrderId } : {}),
        ...(u.error !== undefined ? { error: u.error?.slice(0, 500) ?? null } : {}),
        updatedAt: at,
      };
      if (ACTIVE.has(next.status)) rows.set(cid, next);
      else rows.delete(cid);
    }
  }

  /** Forget the copy (a commit failed in an unknown way): the next read loads it again. */
  invalidate(): void {
    this.rows = null;
  }
}
