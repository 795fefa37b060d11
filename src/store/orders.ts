// Orders, written before they are sent (write-ahead) and updated from what the exchange reports.
import type { DbClient } from './client.js';
import { dec, num, numOrNull } from './decimal.js';

export type StoredOrderStatus = 'pending' | 'unknown' | 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired';

export const ACTIVE_ORDER_STATUSES: readonly StoredOrderStatus[] = ['pending', 'unknown', 'open', 'partially_filled'];

export interface OrderRecord {
  clientOrderId: string;
  botId: number;
  seq: number;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  price: number | null;
  amount: number;
  filled: number;
  average: number | null;
  tag: string;
  status: StoredOrderStatus;
  exchangeOrderId: string | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Awaited<ReturnType<DbClient['order']['findUniqueOrThrow']>>;
const toRecord = (r: Row): OrderRecord => ({
  clientOrderId: r.clientOrderId,
  botId: r.botId,
  seq: r.seq,
  symbol: r.symbol,
  side: r.side as 'buy' | 'sell',
  type: r.type as 'limit' | 'market',
  price: numOrNull(r.price),
  amount: num(r.amount),
  filled: num(r.filled),
  average: numOrNull(r.average),
  tag: r.tag,
  status: r.status as StoredOrderStatus,
  exchangeOrderId: r.exchangeOrderId,
  error: r.error,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export interface NewOrder {
  clientOrderId: string;
  botId: number;
  seq: number;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  price: number | null;
  amount: number;
  tag: string;
  fence: number;
  at?: Date;
}

export class OrderRepository {
  constructor(private readonly db: DbClient) {}

  /** Write-ahead: the intents become `pending` rows before anything is sent. */
  async insertPending(orders: readonly NewOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await this.db.order.createMany({
      data: orders.map((o) => ({
        clientOrderId: o.clientOrderId,
        botId: o.botId,
        seq: o.seq,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        price: o.price === null ? null : dec(o.price),
        amount: dec(o.amount),
        tag: o.tag,
        status: 'pending',
        fence: o.fence,
        ...(o.at ? { createdAt: o.at, updatedAt: o.at } : {}),
      })),
    });
  }

  async update(
    clientOrderId: string,
    u: { status: StoredOrderStatus; filled?: number; average?: number | null; exchangeOrderId?: string | null; error?: string | null; at?: Date },
  ): Promise<void> {
    // updateMany: an update for an order that was never written (an intent the engine dropped) is a no-op.
    await this.db.order.updateMany({
      where: { clientOrderId },
      data: {
        status: u.status,
        ...(u.filled !== undefined ? { filled: dec(u.filled) } : {}),
        ...(u.average !== undefined ? { average: u.average === null ? null : dec(u.average) } : {}),
        ...(u.exchangeOrderId !== undefined ? { exchangeOrderId: u.exchangeOrderId } : {}),
        ...(u.error !== undefined ? { error: u.error?.slice(0, 500) ?? null } : {}),
        ...(u.at ? { updatedAt: u.at } : {}),
      },
    });
  }

  async get(clientOrderId: string): Promise<OrderRecord | null> {
    const r = await this.db.order.findUnique({ where: { clientOrderId } });
    return r ? toRecord(r) : null;
  }

  /** Orders not known to be finished, of one bot or of all. */
  async active(botId?: number): Promise<OrderRecord[]> {
    const rows = await this.db.order.findMany({
      where: { status: { in: [...ACTIVE_ORDER_STATUSES] }, ...(botId !== undefined ? { botId } : {}) },
      orderBy: [{ botId: 'asc' }, { seq: 'asc' }],
    });
    return rows.map(toRecord);
  }

  async countActive(): Promise<number> {
    return this.db.order.count({ where: { status: { in: [...ACTIVE_ORDER_STATUSES] } } });
  }
}
