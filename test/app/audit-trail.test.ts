import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../src/app/store-adapters.js';
import { AuditLogRepository, openDatabase, type Database } from '../../src/store/index.js';

describe('audit trail', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase('pglite:memory');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('writes durable entries at once and batches read-only ones, losing none on flush', async () => {
    const repo = new AuditLogRepository(db.prisma);
    const audit = auditTrail(repo, { flushMs: 10_000 });
    await audit.record({ telegramId: 1, chatId: 1, action: '/stop_bot', args: '3', result: 'ok' });
    expect(await repo.count()).toBe(1);
    for (let i = 0; i < 20; i++) await audit.record({ telegramId: 1, chatId: 1, action: '/positions', result: 'ok' }, { durable: false });
    expect(await repo.count()).toBe(1); // still buffered
    await audit.flush();
    expect(await repo.count()).toBe(21);
    expect(await repo.count({ telegramId: 1 })).toBe(21);
  });

  it('flushes by itself after the interval', async () => {
    const repo = new AuditLogRepository(db.prisma);
    const before = await repo.count();
    const audit = auditTrail(repo, { flushMs: 20 });
    await audit.record({ telegramId: 2, chatId: 2, action: '/bots', result: 'ok' }, { durable: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(await repo.count()).toBe(before + 1);
  });
});
