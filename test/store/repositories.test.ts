// Users, audit log and settings on one database per target (PGlite in memory; PostgreSQL if configured).
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogRepository, MAX_ARGS_LENGTH } from '../../src/store/audit-log.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { InvalidSettingError, SettingsRepository } from '../../src/store/settings.js';
import { UserRepository } from '../../src/store/users.js';
import { createTempPostgres, storageTargets, TEST_DATABASE_URL, type TempPostgres } from './helpers.js';

describe.each(storageTargets)('repositories on %s', (kind) => {
  let db: Database;
  let temp: TempPostgres | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') temp = await createTempPostgres(TEST_DATABASE_URL!);
    db = await openDatabase(temp?.url ?? 'pglite:memory');
  });
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });

  describe('users', () => {
    it('upserts owners, promotes known users, and reports what changed', async () => {
      const users = new UserRepository(db.prisma);
      await db.prisma.user.create({ data: { telegramId: 20n, role: 'viewer', name: 'Vic' } });
      const r = await users.upsertOwners([10, 20, 10, 7_000_000_001]);
      expect(r).toEqual({ added: [10, 7_000_000_001], promoted: [20], revoked: [] });
      expect(await users.getRole(10)).toBe('owner');
      expect(await users.getRole(20)).toBe('owner');
      expect(await users.getRole(7_000_000_001)).toBe('owner');
      expect(await users.getRole(99)).toBeNull();
      expect(await users.upsertOwners([10, 20])).toEqual({ added: [], promoted: [], revoked: [] });
      expect(await users.upsertOwners([])).toEqual({ added: [], promoted: [], revoked: [] });

      const list = await users.list();
      expect(list.map((u) => [u.telegramId, u.role, u.name])).toEqual([
        [10, 'owner', null],
        [20, 'owner', 'Vic'],
        [7_000_000_001, 'owner', null],
      ]);
      expect(typeof list[0]!.telegramId).toBe('number');
      expect(list[0]!.createdAt).toBeInstanceOf(Date);
    });

    it('syncOwners removes owners no longer listed and leaves other roles alone', async () => {
      const users = new UserRepository(db.prisma);
      await db.prisma.user.create({ data: { telegramId: 30n, role: 'viewer' } });
      const r = await users.syncOwners([10, 40]);
      expect(r).toEqual({ added: [40], promoted: [], revoked: [20, 7_000_000_001] });
      expect(await users.getRole(20)).toBeNull();
      expect(await users.getRole(30)).toBe('viewer');
      expect((await users.list()).map((u) => u.telegramId)).toEqual([10, 30, 40]);
    });

    it('rejects ids that are not safe integers', async () => {
      const users = new UserRepository(db.prisma);
      await expect(users.upsertOwners([1.5])).rejects.toThrow(RangeError);
      await expect(users.getRole(2 ** 53)).rejects.toThrow(/not a safe integer/);
    });
  });

  describe('audit log', () => {
    it('appends entries and lists the newest first, filtered and limited', async () => {
      const audit = new AuditLogRepository(db.prisma);
      const t0 = new Date('2025-01-01T00:00:00Z');
      const at = (min: number) => new Date(t0.getTime() + min * 60_000);
      const first = await audit.append({ telegramId: 1, chatId: 1, action: 'command:/status', result: 'ok', at: at(0) });
      expect(first).toMatchObject({ telegramId: 1, chatId: 1, action: 'command:/status', args: null, detail: null, at: at(0) });
      expect(typeof first.id).toBe('number');
      await audit.append({ telegramId: 2, chatId: -1001234567890, action: 'auth:refused', args: '/stop_all', result: 'refused', at: at(1) });
      await audit.append({ telegramId: 1, chatId: 1, action: 'button:confirm', args: 'stop_all', result: 'ok', detail: 'halted 2 bots', at: at(2) });
      await audit.append({ action: 'system:start', result: 'ok', at: at(2) });

      const recent = await audit.listRecent(3);
      expect(recent.map((e) => e.action)).toEqual(['system:start', 'button:confirm', 'auth:refused']);
      expect(recent[2]).toMatchObject({ telegramId: 2, chatId: -1001234567890, args: '/stop_all', result: 'refused' });
      expect(recent[0]).toMatchObject({ telegramId: null, chatId: null });

      expect((await audit.listRecent(10, { telegramId: 1 })).map((e) => e.action)).toEqual(['button:confirm', 'command:/status']);
      expect(await audit.count()).toBe(4);
      expect(await audit.count({ telegramId: 1 })).toBe(2);
      expect(await audit.count({ since: at(1) })).toBe(3);
      expect(await audit.listRecent(0)).toEqual([]);
    });

    it('uses the database time when none is given, and cuts very long args', async () => {
      const audit = new AuditLogRepository(db.prisma);
      const e = await audit.append({ telegramId: 3, action: 'command:/x', args: 'a'.repeat(5_000), result: 'error' });
      expect(e.at).toBeInstanceOf(Date);
      expect(e.args).toHaveLength(MAX_ARGS_LENGTH);
      expect(e.args!.endsWith('…')).toBe(true);
    });
  });

  describe('settings', () => {
    const Limits = z.object({ maxDailyLossPct: z.number().positive(), maxOpenBots: z.number().int().default(3) });

    it('stores and reads JSON through the caller schema', async () => {
      const settings = new SettingsRepository(db.prisma);
      expect(await settings.get('risk.limits', Limits)).toBeUndefined();
      expect(await settings.getOr('risk.limits', Limits, { maxDailyLossPct: 5, maxOpenBots: 1 })).toEqual({
        maxDailyLossPct: 5,
        maxOpenBots: 1,
      });
      expect(await settings.set('risk.limits', Limits, { maxDailyLossPct: 2.5 })).toEqual({ maxDailyLossPct: 2.5, maxOpenBots: 3 });
      expect(await settings.get('risk.limits', Limits)).toEqual({ maxDailyLossPct: 2.5, maxOpenBots: 3 });
      await settings.set('risk.limits', Limits, { maxDailyLossPct: 4, maxOpenBots: 2 });
      expect(await settings.get('risk.limits', Limits)).toEqual({ maxDailyLossPct: 4, maxOpenBots: 2 });

      await settings.set('mode', z.enum(['paper', 'live']), 'paper');
      await settings.set('alerts.mute', z.null(), null);
      expect(await settings.get('alerts.mute', z.null())).toBeNull();
      await settings.set('alerts.list', z.array(z.string()), ['fills', 'errors']);
      expect(await settings.get('alerts.list', z.array(z.string()))).toEqual(['fills', 'errors']);
      expect(await settings.keys()).toEqual(['alerts.list', 'alerts.mute', 'mode', 'risk.limits']);
      expect(await settings.delete('mode')).toBe(true);
      expect(await settings.delete('mode')).toBe(false);
    });

    it('rejects an invalid value and saves nothing; reports a stored value that no longer fits', async () => {
      const settings = new SettingsRepository(db.prisma);
      const err = await settings.set('risk.other', Limits, { maxDailyLossPct: -1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidSettingError);
      expect((err as Error).message).toMatch(/^The value for setting "risk.other" is invalid \(maxDailyLossPct: .*\)\. Nothing was saved\.$/);
      expect(await settings.get('risk.other', Limits)).toBeUndefined();

      await settings.set('risk.other', z.object({ maxDailyLossPct: z.string() }), { maxDailyLossPct: 'lots' });
      await expect(settings.get('risk.other', Limits)).rejects.toThrow(
        /^The stored setting "risk.other" does not match what this version expects/,
      );
    });

    it('works inside an interactive transaction through tx', async () => {
      await db.prisma.$transaction(async (tx) => {
        await new SettingsRepository(tx).set('tx.key', z.number(), 1);
        await new AuditLogRepository(tx).append({ action: 'setting:set', args: 'tx.key', result: 'ok' });
      });
      expect(await new SettingsRepository(db.prisma).get('tx.key', z.number())).toBe(1);
      await expect(
        db.prisma.$transaction(async (tx) => {
          await new SettingsRepository(tx).set('tx.key', z.number(), 2);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await new SettingsRepository(db.prisma).get('tx.key', z.number())).toBe(1);
    });
  });
});
