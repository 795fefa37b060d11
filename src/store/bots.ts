// Bot instances: what the owner started, its desired status, risk state and engine snapshot.
import type { BotStatus, RiskState } from '../generated/prisma/enums.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from './client.js';
import { fromDbId, toDbId } from './ids.js';

export type { BotStatus, RiskState };

export interface BotRecord {
  id: number;
  strategy: string;
  symbol: string;
  mode: string;
  config: unknown;
  preset: string | null;
  status: BotStatus;
  riskState: RiskState;
  haltReason: string | null;
  createdBy: number;
  createdAt: Date;
  updatedAt: Date;
  stoppedAt: Date | null;
  engineState: unknown;
  stateRev: number;
  lastTradeAt: Date | null;
  fence: number;
}

type Row = Awaited<ReturnType<DbClient['bot']['findUniqueOrThrow']>>;
const toRecord = (r: Row): BotRecord => ({ ...r, createdBy: fromDbId(r.createdBy) });

export class BotRepository {
  constructor(private readonly db: DbClient) {}

  async create(b: { strategy: string; symbol: string; mode: string; config: unknown; preset?: string | null; createdBy: number; at?: Date }): Promise<BotRecord> {
    const r = await this.db.bot.create({
      data: {
        strategy: b.strategy,
        symbol: b.symbol,
        mode: b.mode,
        config: b.config as Prisma.InputJsonValue,
        preset: b.preset ?? null,
        createdBy: toDbId(b.createdBy),
        ...(b.at ? { createdAt: b.at } : {}),
      },
    });
    return toRecord(r);
  }

  async get(id: number): Promise<BotRecord | null> {
    const r = await this.db.bot.findUnique({ where: { id } });
    return r ? toRecord(r) : null;
  }

  /** Bots not stopped, or all of them. */
  async list(opts: { includeStopped?: boolean } = {}): Promise<BotRecord[]> {
    const rows = await this.db.bot.findMany({
      where: opts.includeStopped ? {} : { status: { not: 'stopped' } },
      orderBy: { id: 'asc' },
    });
    return rows.map(toRecord);
  }

  async setStatus(id: number, status: BotStatus, at?: Date): Promise<void> {
    await this.db.bot.update({ where: { id }, data: { status, ...(status === 'stopped' ? { stoppedAt: at ?? new Date(0) } : {}) } });
  }

  async setRisk(id: number, riskState: RiskState, haltReason: string | null): Promise<void> {
    await this.db.bot.update({ where: { id }, data: { riskState, haltReason } });
  }

  /**
   * Saves the engine snapshot if this writer still holds the bot (fencing token). Returns false when a
   * newer lease took the bot over: the caller must stop touching it.
   */
  async saveState(id: number, fence: number, engineState: unknown, lastTradeAt: Date | null): Promise<boolean> {
    const r = await this.db.bot.updateMany({
      where: { id, fence },
      data: { engineState: engineState as Prisma.InputJsonValue, stateRev: { increment: 1 }, ...(lastTradeAt ? { lastTradeAt } : {}) },
    });
    return r.count === 1;
  }

  /** Takes the bot for a new lease: bumps and returns its fencing token. */
  async takeFence(id: number): Promise<number> {
    const r = await this.db.bot.update({ where: { id }, data: { fence: { increment: 1 } }, select: { fence: true } });
    return r.fence;
  }

  async counts(): Promise<{ running: number; paused: number; halted: number }> {
    const rows = await this.db.bot.groupBy({ by: ['status', 'riskState'], _count: { _all: true }, where: { status: { not: 'stopped' } } });
    let running = 0;
    let paused = 0;
    let halted = 0;
    for (const r of rows) {
      if (r.riskState === 'halted') halted += r._count._all;
      else if (r.status === 'paused') paused += r._count._all;
      else running += r._count._all;
    }
    return { running, paused, halted };
  }
}
