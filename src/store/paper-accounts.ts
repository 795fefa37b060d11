// The paper exchange's state in the database (one row per paper account), so paper balances,
// resting orders and trade history survive restarts like a real exchange's would.
import type { Prisma } from '../generated/prisma/client.js';
import { paperSnapshotSchema, type PaperSnapshot, type PaperStateStore } from '../exchange/paper/state.js';
import type { DbClient } from './client.js';

export class DbPaperStateStore implements PaperStateStore {
  constructor(
    private readonly db: DbClient,
    private readonly accountId: string,
  ) {}

  async load(): Promise<PaperSnapshot | null> {
    const row = await this.db.paperAccount.findUnique({ where: { id: this.accountId } });
    if (!row) return null;
    const parsed = paperSnapshotSchema.safeParse(row.state);
    if (!parsed.success) throw new Error(`The stored paper account ${this.accountId} is not readable (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
    return parsed.data as PaperSnapshot;
  }

  async save(snapshot: PaperSnapshot): Promise<void> {
    const state = snapshot as unknown as Prisma.InputJsonValue;
    await this.db.paperAccount.upsert({ where: { id: this.accountId }, create: { id: this.accountId, state }, update: { state } });
  }
}
