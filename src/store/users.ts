// Telegram users the bot knows and their roles. Ids are JS numbers here, BIGINT in the database.
import type { Role } from '../generated/prisma/enums.js';
import type { DbClient } from './client.js';
import { fromDbId, toDbId } from './ids.js';

export type { Role };

export interface UserRecord {
  telegramId: number;
  role: Role;
  name: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OwnerSync {
  /** Ids that were not known and were created as owners. */
  added: number[];
  /** Known ids whose role was raised to owner. */
  promoted: number[];
  /** Former owners not in the list, removed (only by syncOwners). */
  revoked: number[];
}

export class UserRepository {
  constructor(private readonly db: DbClient) {}

  /** Makes every id in `ids` an owner (creating unknown users). Other users are untouched. */
  async upsertOwners(ids: readonly number[]): Promise<OwnerSync> {
    const wanted = [...new Set(ids.map(toDbId))];
    if (wanted.length === 0) return { added: [], promoted: [], revoked: [] };
    const existing = await this.db.user.findMany({ where: { telegramId: { in: wanted } } });
    const known = new Set(existing.map((u) => u.telegramId));
    const toAdd = wanted.filter((id) => !known.has(id));
    const toPromote = existing.filter((u) => u.role !== 'owner').map((u) => u.telegramId);
    if (toAdd.length > 0) {
      await this.db.user.createMany({ data: toAdd.map((telegramId) => ({ telegramId, role: 'owner' })), skipDuplicates: true });
    }
    if (toPromote.length > 0) {
      await this.db.user.updateMany({ where: { telegramId: { in: toPromote } }, data: { role: 'owner' } });
    }
    return { added: toAdd.map(fromDbId), promoted: toPromote.map(fromDbId), revoked: [] };
  }

  /**
   * Makes exactly `ids` the owners: upserts them and removes owners that are no longer listed
   * (e.g. an id taken out of ALLOWED_USER_IDS). Users with other roles are untouched.
   */
  async syncOwners(ids: readonly number[]): Promise<OwnerSync> {
    const result = await this.upsertOwners(ids);
    const wanted = [...new Set(ids.map(toDbId))];
    const stale = await this.db.user.findMany({
      where: { role: 'owner', telegramId: { notIn: wanted } },
      select: { telegramId: true },
      orderBy: { telegramId: 'asc' },
    });
    if (stale.length > 0) {
      await this.db.user.deleteMany({ where: { role: 'owner', telegramId: { in: stale.map((u) => u.telegramId) } } });
    }
    return { ...result, revoked: stale.map((u) => fromDbId(u.telegramId)) };
  }

  /** The user's role, or null for a user the bot does not know. */
  async getRole(telegramId: number): Promise<Role | null> {
    const u = await this.db.user.findUnique({ where: { telegramId: toDbId(telegramId) }, select: { role: true } });
    return u?.role ?? null;
  }

  /** All users, by id. */
  async list(): Promise<UserRecord[]> {
    const rows = await this.db.user.findMany({ orderBy: { telegramId: 'asc' } });
    return rows.map((u) => ({ ...u, telegramId: fromDbId(u.telegramId) }));
  }
}
