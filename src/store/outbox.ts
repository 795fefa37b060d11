// The alert outbox: rows written in the same transaction as the state change that caused them, drained
// to Telegram by the alert sender. Rows are never deleted before delivery; delivered rows are pruned.
import type { DbClient } from './client.js';
import { fromDbId, toDbId } from './ids.js';

/**
 * A parked row (an error that will never succeed, e.g. 403 "bot was blocked by the user") waits with
 * this nextAttemptAt until someone requeues it: it is kept, not sent, and does not hold back its chat.
 */
export const PARKED_AT = new Date('9999-12-31T00:00:00.000Z');

export interface OutboxAlert {
  chatId: number;
  /** Alert type (see src/alerts/types.ts). */
  kind: string;
  /** Telegram HTML, already escaped. */
  text: string;
  /** Deliver without sound. */
  silent?: boolean;
  botId?: number | null;
  /** A second alert with the same key is ignored (e.g. one fill alert per trade id and chat). */
  dedupeKey?: string | null;
  /** Creation time from the injected clock; the database's now() if omitted. Also the first attempt time. */
  at?: Date;
}

export interface OutboxRow {
  id: number;
  chatId: number;
  kind: string;
  silent: boolean;
  text: string;
  botId: number | null;
  dedupeKey: string | null;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  /** Set just before a send; still set with no deliveredAt = the send may have reached Telegram. */
  sendingAt: Date | null;
  deliveredAt: Date | null;
  messageId: number | null;
}

export interface OutboxCounts {
  /** Waiting for delivery (including rows backing off after a failure). */
  queued: number;
  delivered: number;
  /** Kept but not retried (see PARKED_AT). */
  parked: number;
}

export interface FailureMark {
  error: string;
  nextAttemptAt: Date;
  /** Keep sendingAt: the send may have reached Telegram (a connection lost mid-request). */
  keepSending?: boolean;
}

/** Undelivered and not parked. */
const PENDING = { deliveredAt: null, nextAttemptAt: { lt: PARKED_AT } } as const;
const MAX_ERROR_LENGTH = 1_000;

export class OutboxRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * Queues one alert; pass the `tx` of the transaction that made the change the alert reports. Returns
   * false when an alert with the same dedupeKey exists (ON CONFLICT DO NOTHING: the transaction goes on).
   */
  async enqueue(alert: OutboxAlert): Promise<boolean> {
    return (await this.enqueueMany([alert])) === 1;
  }

  /** Queues several alerts in one statement; returns how many were new. */
  async enqueueMany(alerts: readonly OutboxAlert[]): Promise<number> {
    if (alerts.length === 0) return 0;
    const r = await this.db.outbox.createMany({
      data: alerts.map((a) => ({
        chatId: toDbId(a.chatId),
        kind: a.kind,
        text: a.text,
        silent: a.silent ?? false,
        botId: a.botId ?? null,
        dedupeKey: a.dedupeKey ?? null,
        ...(a.at ? { createdAt: a.at, nextAttemptAt: a.at } : {}),
      })),
      skipDuplicates: true,
    });
    return r.count;
  }

  /**
   * Undelivered rows whose time has come, oldest first, at most `limit`. A chat keeps its order: a row
   * is not due while an older row of the same chat is still backing off.
   */
  async due(now: Date, limit: number): Promise<OutboxRow[]> {
    const rows = await this.db.outbox.findMany({
      where: { ...PENDING, nextAttemptAt: { lte: now } },
      orderBy: { id: 'asc' },
      take: Math.max(0, Math.floor(limit)),
    });
    if (rows.length === 0) return [];
    const chats = [...new Set(rows.map((r) => r.chatId))];
    const waiting = await this.db.outbox.groupBy({
      by: ['chatId'],
      where: { deliveredAt: null, nextAttemptAt: { gt: now, lt: PARKED_AT }, chatId: { in: chats } },
      _min: { id: true },
    });
    const blockedFrom = new Map(waiting.map((w) => [w.chatId, w._min.id]));
    return rows
      .filter((r) => {
        const first = blockedFrom.get(r.chatId);
        return first === undefined || first === null || r.id < first;
      })
      .map(toRow);
  }

  /**
   * Each chat with queued rows and when its oldest queued row (which holds back the rest) can be
   * sent. May be in the past.
   */
  async heads(): Promise<{ chatId: number; nextAttemptAt: Date }[]> {
    const groups = await this.db.outbox.groupBy({ by: ['chatId'], where: PENDING, _min: { id: true } });
    const ids = groups.map((h) => h._min.id).filter((id): id is bigint => id !== null);
    if (ids.length === 0) return [];
    const rows = await this.db.outbox.findMany({
      where: { id: { in: ids } },
      orderBy: { id: 'asc' },
      select: { chatId: true, nextAttemptAt: true },
    });
    return rows.map((r) => ({ chatId: fromDbId(r.chatId), nextAttemptAt: r.nextAttemptAt }));
  }

  /** When the next row can be sent (the earliest head of all chats), or null when nothing is queued. */
  async nextDueAt(): Promise<Date | null> {
    const heads = await this.heads();
    if (heads.length === 0) return null;
    return new Date(Math.min(...heads.map((h) => h.nextAttemptAt.getTime())));
  }

  /** Marks rows as about to be sent. Returns how many were still undelivered. */
  async markSending(ids: readonly number[], at: Date): Promise<number> {
    const r = await this.db.outbox.updateMany({ where: { id: { in: ids.map(BigInt) }, deliveredAt: null }, data: { sendingAt: at } });
    return r.count;
  }

  /** Undoes markSending for rows that were not sent after all (the drain stopped before their turn). */
  async releaseSending(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db.outbox.updateMany({ where: { id: { in: ids.map(BigInt) }, deliveredAt: null }, data: { sendingAt: null } });
    return r.count;
  }

  /** Marks rows delivered in message `messageId`. Rows already delivered keep their first delivery. */
  async markDelivered(ids: readonly number[], messageId: number, at: Date): Promise<number> {
    const r = await this.db.outbox.updateMany({
      where: { id: { in: ids.map(BigInt) }, deliveredAt: null },
      data: { deliveredAt: at, messageId },
    });
    return r.count;
  }

  /** Records a failed attempt: attempts + 1, the error, and when to try again. */
  async markFailed(ids: readonly number[], failure: FailureMark): Promise<number> {
    const r = await this.db.outbox.updateMany({
      where: { id: { in: ids.map(BigInt) }, deliveredAt: null },
      data: {
        attempts: { increment: 1 },
        lastError: cut(failure.error),
        nextAttemptAt: failure.nextAttemptAt,
        ...(failure.keepSending ? {} : { sendingAt: null }),
      },
    });
    return r.count;
  }

  /** Parks rows that will never be delivered as they are (attempts + 1, the error kept). */
  async park(ids: readonly number[], error: string): Promise<number> {
    return this.markFailed(ids, { error, nextAttemptAt: PARKED_AT });
  }

  /** Parked rows, oldest first. */
  async parked(limit = 100): Promise<OutboxRow[]> {
    const rows = await this.db.outbox.findMany({
      where: { deliveredAt: null, nextAttemptAt: { gte: PARKED_AT } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map(toRow);
  }

  /** Puts parked rows (of one chat, or all) back in the queue, e.g. after the user writes to the bot again. */
  async requeueParked(now: Date, chatId?: number): Promise<number> {
    const r = await this.db.outbox.updateMany({
      where: { deliveredAt: null, nextAttemptAt: { gte: PARKED_AT }, ...(chatId === undefined ? {} : { chatId: toDbId(chatId) }) },
      data: { nextAttemptAt: now, lastError: null },
    });
    return r.count;
  }

  async counts(): Promise<OutboxCounts> {
    const [queued, delivered, parked] = await Promise.all([
      this.db.outbox.count({ where: PENDING }),
      this.db.outbox.count({ where: { deliveredAt: { not: null } } }),
      this.db.outbox.count({ where: { deliveredAt: null, nextAttemptAt: { gte: PARKED_AT } } }),
    ]);
    return { queued, delivered, parked };
  }

  /** Deletes delivered rows delivered more than `days` days before `now`. Returns how many. */
  async pruneDelivered(now: Date, days: number): Promise<number> {
    const before = new Date(now.getTime() - days * 86_400_000);
    const r = await this.db.outbox.deleteMany({ where: { deliveredAt: { lt: before } } });
    return r.count;
  }

  async get(id: number): Promise<OutboxRow | null> {
    const row = await this.db.outbox.findUnique({ where: { id: BigInt(id) } });
    return row ? toRow(row) : null;
  }

  /** Every row of a chat, oldest first (tests, /alerts history). */
  async listForChat(chatId: number, limit = 100): Promise<OutboxRow[]> {
    const rows = await this.db.outbox.findMany({ where: { chatId: toDbId(chatId) }, orderBy: { id: 'asc' }, take: limit });
    return rows.map(toRow);
  }
}

function cut(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

type DbRow = Omit<OutboxRow, 'id' | 'chatId'> & { id: bigint; chatId: bigint };

function toRow(r: DbRow): OutboxRow {
  return { ...r, id: fromDbId(r.id), chatId: fromDbId(r.chatId) };
}
