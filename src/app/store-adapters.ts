import type { AuditLogRepository, UserRepository } from '../store/index.js';
import type { AuditTrail, AuditEntry, UserDirectory } from './types.js';

/** The users table (owners synced from ALLOWED_USER_IDS at start, viewers added by owners). */
export function userDirectory(repo: UserRepository): UserDirectory {
  return {
    roleOf: (id) => repo.getRole(id),
    count: async () => (await repo.list()).length,
  };
}

export function auditTrail(repo: AuditLogRepository): AuditTrail {
  return {
    record: async (e: AuditEntry) => {
      await repo.append({
        telegramId: e.telegramId,
        chatId: e.chatId,
        action: e.action,
        args: e.args ?? null,
        result: e.result,
        detail: e.detail ?? null,
      });
    },
    count: () => repo.count(),
  };
}
