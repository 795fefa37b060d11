// Pending button confirmations: single-use (a conditional UPDATE claims one), expiring, bound to one
// user and chat and to a hash of the exact action.
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from './client.js';
import { fromDbId, toDbId } from './ids.js';

export type JsonValue = Prisma.JsonValue;

export interface ConfirmationRecord {
  id: string;
  userId: number;
  chatId: number;
  action: string;
  payload: JsonValue;
  hash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** confirmed | cancelled | tampered ... */
  result: string | null;
}

export interface NewConfirmation {
  id: string;
  userId: number;
  chatId: number;
  action: string;
  payload: JsonValue;
  hash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ClaimInput {
  id: string;
  userId: number;
  chatId: number;
  now: Date;
  /** Stored as the row's result. */
  result: string;
}

export class ConfirmationRepository {
  constructor(private readonly db: DbClient) {}

  async create(c: NewConfirmation): Promise<void> {
    await this.db.confirmation.create({
      data: {
        id: c.id,
        userId: toDbId(c.userId),
        chatId: toDbId(c.chatId),
        action: c.action,
        payload: c.payload === null ? Prisma.JsonNull : (c.payload as Prisma.InputJsonValue),
        hash: c.hash,
        createdAt: c.createdAt,
        expiresAt: c.expiresAt,
      },
    });
  }

  async get(id: string): Promise<ConfirmationRecord | null> {
    const row = await this.db.confirmation.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  /**
   * Marks the confirmation used, in one conditional UPDATE ... RETURNING: only when it belongs to this
   * user and chat, is unused and has not expired. Of two concurrent claims at most one gets the row.
   */
  async claim(c: ClaimInput): Promise<ConfirmationRecord | null> {
    const rows = await this.db.confirmation.updateManyAndReturn({
      where: { id: c.id, userId: toDbId(c.userId), chatId: toDbId(c.chatId), usedAt: null, expiresAt: { gt: c.now } },
      data: { usedAt: c.now, result: c.result },
    });
    const row = rows[0];
    return row ? toRecord(row) : null;
  }

  /** Records what came of a used confirmation (e.g. 'tampered', 'done', 'failed'). */
  async setResult(id: string, result: string): Promise<void> {
    await this.db.confirmation.updateMany({ where: { id }, data: { result } });
  }

  /** Deletes confirmations that expired before `before`, used or not. Returns how many. */
  async pruneExpired(before: Date): Promise<number> {
    const r = await this.db.confirmation.deleteMany({ where: { expiresAt: { lt: before } } });
    return r.count;
  }
}

function toRecord(row: {
  id: string;
  userId: bigint;
  chatId: bigint;
  action: string;
  payload: JsonValue;
  hash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  result: string | null;
}): ConfirmationRecord {
  return { ...row, userId: fromDbId(row.userId), chatId: fromDbId(row.chatId) };
}
