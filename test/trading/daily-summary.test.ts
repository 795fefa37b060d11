import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportService } from '../../src/app/reports.js';
import { sendDailySummary } from '../../src/jobs/daily-summary.js';
import { ManualClock } from '../../src/lib/clock.js';
import { openDatabase, type Database, UserRepository } from '../../src/store/index.js';
import type { ExchangePort } from '../../src/exchange/types.js';

describe('daily summary', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase('pglite:memory');
    await new UserRepository(db.prisma).upsertOwners([11, 22]);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('queues one silent summary per owner per local day, whatever the retries', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 19, 0));
    const exchange = { fetchTicker: async () => ({ last: 100 }) } as unknown as ExchangePort;
    const reports = new ReportService(db.prisma, exchange, clock, (now) => now - (now % 86_400_000));
    let wakes = 0;
    const deps = { prisma: db.prisma, reports, clock, timeZone: 'Europe/Berlin', wake: () => wakes++ };
    expect(await sendDailySummary(deps)).toBe(true);
    expect(await sendDailySummary(deps)).toBe(false); // same local day: deduplicated
    const rows = await db.prisma.outbox.findMany({ where: { kind: 'daily_summary' }, orderBy: { chatId: 'asc' } });
    expect(rows.map((r) => Number(r.chatId))).toEqual([11, 22]);
    expect(rows[0]!.text).toContain('Daily summary 2026-01-15');
    expect(rows.every((r) => r.silent)).toBe(true);
    expect(wakes).toBe(1);
    clock.advance(86_400_000);
    expect(await sendDailySummary(deps)).toBe(true);
    expect(await db.prisma.outbox.count({ where: { kind: 'daily_summary' } })).toBe(4);
  });
});
