import { performance } from 'node:perf_hooks';
import type { AuditLogRepository, UserRepository } from '../store/index.js';
import type { Role } from './types.js';
import type { AuditTrail, AuditEntry, UserDirectory } from './types.js';

/**
 * The users table (owners synced from ALLOWED_USER_IDS at start, viewers added by owners). Roles are
 * read on every update, so the whole table (a handful of rows) is read at most once per `ttlMs` and
 * shared by every chat: a changed role applies within `ttlMs`, and a stranger's messages cost no query.
 */
export function userDirectory(repo: UserRepository, now: () => number = () => performance.now(), ttlMs = 5_000): UserDirectory {
  let roles: { at: number; byId: Promise<Map<number, Role>> } | null = null;
  const snapshot = (): Promise<Map<number, Role>> => {
    const t = now();
    if (roles && t - roles.at < ttlMs && t >= roles.at) return roles.byId;
    const byId = repo.list().then((users) => new Map(users.map((u) => [u.telegramId, u.role] as const)));
    const entry = { at: t, byId };
    roles = entry;
    // A failed read is not kept: the next update asks again.
    byId.catch(() => {
      if (roles === entry) roles = null;
    });
    return byId;
  };
  return {
    async roleOf(id) {
      return (await snapshot()).get(id) ?? null;
    },
    count: async () => (await repo.list()).length,
    forget: () => {
      roles = null;
    },
  };
}

/**
 * The audit log. An entry marked durable (anything that changes state, every refusal and error) is
 * written before the handler goes on. Successful read-only commands are buffered and stored together
 * every `flushMs` (one insert for many), so fifty chats asking for /positions at once do not queue on
 * the database; a crash loses at most that window of read-only entries.
 */
export function auditTrail(repo: AuditLogRepository, opts: { flushMs?: number; onError?: (err: unknown) => void } = {}): AuditTrail {
  // Buffered entries keep the time they happened, not the time of the batch insert.
  let buffer: (AuditEntry & { at: Date })[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  const toInput = (e: AuditEntry & { at?: Date }) => ({
    telegramId: e.telegramId,
    chatId: e.chatId,
    action: e.action,
    args: e.args ?? null,
    result: e.result,
    detail: e.detail ?? null,
    ...(e.at ? { at: e.at } : {}),
  });
  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const batch = buffer;
    buffer = [];
    if (batch.length > 0) {
      writing = writing.then(() =>
        repo.appendMany(batch.map(toInput)).then(
          () => undefined,
          (err: unknown) => opts.onError?.(err),
        ),
      );
    }
    return writing;
  };
  return {
    record: async (e: AuditEntry, o?: { durable?: boolean }) => {
      if (o?.durable === false) {
        buffer.push({ ...e, at: new Date() });
        timer ??= setTimeout(() => void flush(), opts.flushMs ?? 50);
        return;
      }
      await repo.append(toInput(e));
    },
    count: async () => {
      await flush();
      return repo.count();
    },
    flush,
  };
}
