// The audit log: every command, button press and refusal, who, what, when, and the result.
import type { DbClient } from './client.js';
import { fromDbId, fromNullableDbId, toDbId } from './ids.js';

/** Longer args/detail are cut (refused strangers can send anything). */
export const MAX_ARGS_LENGTH = 1_000;
export const MAX_DETAIL_LENGTH = 4_000;

export interface AuditEntryInput {
  telegramId?: number | null;
  chatId?: number | null;
  /** e.g. "command:/start_bot", "button:confirm", "auth:refused". */
  action: string;
  args?: string | null;
  /** e.g. "ok", "refused", "error". */
  result: string;
  detail?: string | null;
  /** When it happened (from the injected clock); the database's now() if omitted. */
  at?: Date;
}

export interface AuditEntry {
  id: number;
  at: Date;
  telegramId: number | null;
  chatId: number | null;
  action: string;
  args: string | null;
  result: string;
  detail: string | null;
}

export interface AuditFilter {
  telegramId?: number;
  /** Only entries at or after this time. */
  since?: Date;
}

/** PostgreSQL text cannot hold NUL; anyone can send one (a modified client, forged button data). */
const clean = (s: string): string => s.split('\u0000').join('\uFFFD');
const cleanOrNull = (s: string | null): string | null => (s === null ? null : clean(s));

export class AuditLogRepository {
  constructor(private readonly db: DbClient) {}

  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    const row = await this.db.auditLog.create({
      data: {
        telegramId: entry.telegramId == null ? null : toDbId(entry.telegramId),
        chatId: entry.chatId == null ? null : toDbId(entry.chatId),
        action: clean(entry.action),
        args: cut(cleanOrNull(entry.args ?? null), MAX_ARGS_LENGTH),
        result: clean(entry.result),
        detail: cut(cleanOrNull(entry.detail ?? null), MAX_DETAIL_LENGTH),
        ...(entry.at ? { at: entry.at } : {}),
      },
    });
    return toEntry(row);
  }

  /** Stores several entries in one insert (the write-behind audit trail's flush). */
  async appendMany(entries: readonly AuditEntryInput[]): Promise<number> {
    if (entries.length === 0) return 0;
    const r = await this.db.auditLog.createMany({
      data: entries.map((entry) => ({
        telegramId: entry.telegramId == null ? null : toDbId(entry.telegramId),
        chatId: entry.chatId == null ? null : toDbId(entry.chatId),
        action: clean(entry.action),
        args: cut(cleanOrNull(entry.args ?? null), MAX_ARGS_LENGTH),
        result: clean(entry.result),
        detail: cut(cleanOrNull(entry.detail ?? null), MAX_DETAIL_LENGTH),
        ...(entry.at ? { at: entry.at } : {}),
      })),
    });
    return r.count;
  }

  /** The newest entries first. */
  async listRecent(limit = 20, filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const rows = await this.db.auditLog.findMany({
      where: where(filter),
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: Math.max(0, Math.floor(limit)),
    });
    return rows.map(toEntry);
  }

  async count(filter: AuditFilter = {}): Promise<number> {
    return this.db.auditLog.count({ where: where(filter) });
  }
}

function where(filter: AuditFilter) {
  return {
    ...(filter.telegramId === undefined ? {} : { telegramId: toDbId(filter.telegramId) }),
    ...(filter.since === undefined ? {} : { at: { gte: filter.since } }),
  };
}

function cut(text: string | null, max: number): string | null {
  if (text === null || text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

function toEntry(row: {
  id: bigint;
  at: Date;
  telegramId: bigint | null;
  chatId: bigint | null;
  action: string;
  args: string | null;
  result: string;
  detail: string | null;
}): AuditEntry {
  return {
    id: fromDbId(row.id),
    at: row.at,
    telegramId: fromNullableDbId(row.telegramId),
    chatId: fromNullableDbId(row.chatId),
    action: row.action,
    args: row.args,
    result: row.result,
    detail: row.detail,
  };
}
