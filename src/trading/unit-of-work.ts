import type { PrismaClient } from '../generated/prisma/client.js';
import { BotRepository } from '../store/bots.js';
import type { DbClient } from '../store/client.js';
import { FillRepository, type FillRecord } from '../store/fills.js';
import { OrderRepository, type NewOrder, type StoredOrderStatus } from '../store/orders.js';
import { LeaseLostError, type AlertInput, type AlertSink } from './types.js';

export interface OrderUpdate {
  status: StoredOrderStatus;
  filled?: number;
  average?: number | null;
  exchangeOrderId?: string | null;
  error?: string | null;
}

/**
 * Everything one step of a bot changes, committed in ONE transaction: new fills, order rows
 * (write-ahead for new intents), order status updates, the engine snapshot that reflects them, and
 * the alerts they raise. A crash before the commit loses nothing (the exchange still has it); after
 * it, nothing is done twice.
 */
export class UnitOfWork {
  fills: FillRecord[] = [];
  newOrders: NewOrder[] = [];
  updates = new Map<string, OrderUpdate>();
  alerts: AlertInput[] = [];
  lastTradeAt: Date | null = null;

  get empty(): boolean {
    return this.fills.length === 0 && this.newOrders.length === 0 && this.updates.size === 0 && this.alerts.length === 0;
  }

  update(clientOrderId: string, u: OrderUpdate): void {
    this.updates.set(clientOrderId, { ...this.updates.get(clientOrderId), ...u });
  }

  /** `at`: the market's time, stamped on the order rows changed (a replay's clock is not the wall clock). */
  async commit(prisma: PrismaClient, botId: number, fence: number, snapshot: unknown, alerts: AlertSink, at?: Date): Promise<void> {
    await prisma.$transaction(async (tx: DbClient) => {
      const saved = await new BotRepository(tx).saveState(botId, fence, snapshot, this.lastTradeAt);
      if (!saved) throw new LeaseLostError(`bot ${botId} is now run by another worker (fence ${fence} is stale)`);
      await new FillRepository(tx).insertNew(this.fills);
      const orders = new OrderRepository(tx);
      await orders.insertPending(this.newOrders);
      for (const [id, u] of this.updates) await orders.update(id, at ? { ...u, at } : u);
      for (const a of this.alerts) await alerts.enqueue(tx, a);
    });
    if (this.alerts.length > 0) alerts.wake();
  }
}
