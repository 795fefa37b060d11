import { performance } from 'node:perf_hooks';
import type { AuditLogRepository, UserRepository } from '../store/index.js';
import type { Role } from './types.js';
import type { AuditTrail, AuditEntry, UserDirectory } from './types.js';

/**
 * The users table (owners synced from ALLOWED_USER_IDS at start, viewers added by owners). Roles are
 * read on every update, so they are cached for a few seconds: a changed role applies within `ttlMs`.
 */
export function userDirectory(repo: UserRepository, now: () => number = () => performance.now(), ttlMs = 5_000): UserDirectory {
  const cache = new Map<number, { role: Role | null; at: number }>();
  return {
    async roleOf(id) {
      const hit = cache.get(id);
      const t = now();
      if (hit && t - hit.at < ttlMs && t >= hit.at) return hit.role;
      const role = await repo.getRole(id);
      if (cache.size > 10_000) cache.clear();
      cache.set(id, { role, at: t });
      return role;
    },
    count: async () => (await repo.list()).length,
  };
}

/**
 * The audit log. Each entry is written before the handler goes on (a crash right after a command
 * still leaves its trace); `flush()` is there for callers that batch, and has nothing to do here.
 */
export function auditTrail(repo: AuditLogRepository): AuditTrail {
  return {
    record: async (e: AuditEntry) => {
      await repo.append({ telegramId: e.telegramId, chatId: e.chatId, action: e.action, args: e.args ?? null, result: e.result, detail: e.detail ?? null });
    },
    count: () => repo.count(),
    flush: () => Promise.resolve(),
  };
}
