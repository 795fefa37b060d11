// Alert types, per-owner preferences (on | silent | off) in the Setting table, and enqueueing to owners
// with the caller's transaction.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertOwners, alertUsers, ownerIds } from '../../src/alerts/notify.js';
import { AlertPreferencesRepository, alertSettingKey, deliveryFor } from '../../src/alerts/preferences.js';
import { ALERT_TYPES, ALERT_TYPE_NAMES, DEFAULT_ALERT_MODES, isAlertType } from '../../src/alerts/types.js';
import { html } from '../../src/bot/html.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { UserRepository } from '../../src/store/users.js';
import { createTempPostgres, storageTargets, TEST_DATABASE_URL, type TempPostgres } from '../store/helpers.js';

const ANN = 1001;
const BOB = 1002;
const VIC = 1003; // a viewer: never alerted by alertOwners

describe('alert types', () => {
  it('lists the twelve types with one line each; defaults on, daily_summary silent', () => {
    expect(ALERT_TYPE_NAMES).toEqual([
      'fill', 'take_profit', 'stop_loss', 'grid_cycle', 'daily_loss', 'drawdown', 'bot_error', 'bot_paused',
      'exchange_down', 'daily_summary', 'manual_change', 'risk',
    ]);
    for (const t of ALERT_TYPES) expect(t.description).toMatch(/^[A-Z].{10,100}\.$/);
    expect(Object.entries(DEFAULT_ALERT_MODES).filter(([, m]) => m !== 'on')).toEqual([['daily_summary', 'silent']]);
    expect(isAlertType('fill')).toBe(true);
    expect(isAlertType('fills')).toBe(false);
  });

  it('deliveryFor: off drops, silent quiets, a quiet alert stays quiet', () => {
    expect(deliveryFor('on')).toEqual({ send: true, silent: false });
    expect(deliveryFor('on', true)).toEqual({ send: true, silent: true });
    expect(deliveryFor('silent')).toEqual({ send: true, silent: true });
    expect(deliveryFor('off', true)).toEqual({ send: false, silent: false });
  });
});

describe.each(storageTargets)('alert preferences and owner alerts on %s', (kind) => {
  let db: Database;
  let temp: TempPostgres | undefined;
  let prefs: AlertPreferencesRepository;
  let outbox: OutboxRepository;

  beforeAll(async () => {
    if (kind === 'postgres') temp = await createTempPostgres(TEST_DATABASE_URL!);
    db = await openDatabase(temp?.url ?? 'pglite:memory');
    prefs = new AlertPreferencesRepository(db.prisma);
    outbox = new OutboxRepository(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });
  beforeEach(async () => {
    await db.prisma.outbox.deleteMany();
    await db.prisma.setting.deleteMany();
    await db.prisma.user.deleteMany();
    await new UserRepository(db.prisma).upsertOwners([ANN, BOB]);
    await db.prisma.user.create({ data: { telegramId: BigInt(VIC), role: 'viewer' } });
  });

  it('defaults, changes one type, stores only what differs under alerts:<userId>, resets', async () => {
    expect(await prefs.get(ANN)).toEqual(DEFAULT_ALERT_MODES);
    const after = await prefs.set(ANN, 'fill', 'silent');
    expect(after.fill).toBe('silent');
    await prefs.set(ANN, 'grid_cycle', 'off');
    await prefs.set(ANN, 'daily_summary', 'silent'); // the default: not stored
    const row = await db.prisma.setting.findUniqueOrThrow({ where: { key: alertSettingKey(ANN) } });
    expect(row.key).toBe('alerts:1001');
    expect(row.value).toEqual({ fill: 'silent', grid_cycle: 'off' });
    expect(await prefs.get(ANN)).toEqual({ ...DEFAULT_ALERT_MODES, fill: 'silent', grid_cycle: 'off' });
    expect(await prefs.get(BOB)).toEqual(DEFAULT_ALERT_MODES);
    expect(await prefs.reset(ANN)).toEqual(DEFAULT_ALERT_MODES);
    expect(await db.prisma.setting.count()).toBe(0);
  });

  it('setAll, and back to defaults removes the setting', async () => {
    await prefs.setAll(BOB, 'off');
    expect(Object.values(await prefs.get(BOB)).every((m) => m === 'off')).toBe(true);
    await prefs.setAll(BOB, 'on');
    expect((await prefs.get(BOB)).daily_summary).toBe('on');
    await prefs.set(BOB, 'daily_summary', 'silent');
    expect(await db.prisma.setting.count()).toBe(0);
  });

  it('reads a damaged or foreign stored value leniently (alerts must not break a trade)', async () => {
    await db.prisma.setting.create({ data: { key: alertSettingKey(ANN), value: { fill: 'loud', risk: 'off', gone_type: 'off' } } });
    expect(await prefs.get(ANN)).toEqual({ ...DEFAULT_ALERT_MODES, risk: 'off' });
    await db.prisma.setting.update({ where: { key: alertSettingKey(ANN) }, data: { value: ['nonsense'] } });
    expect(await prefs.get(ANN)).toEqual(DEFAULT_ALERT_MODES);
  });

  it('alertOwners queues one row per owner (not viewers), honouring on / silent / off', async () => {
    expect(await ownerIds(db.prisma)).toEqual([ANN, BOB]);
    await prefs.set(ANN, 'fill', 'silent');
    await prefs.set(BOB, 'fill', 'off');
    const at = new Date('2026-02-01T10:00:00Z');
    const r = await alertOwners(db.prisma, { kind: 'fill', text: html`Bought <b>${'0.1 <BTC>'}</b>`, botId: null, at });
    expect(r).toEqual({ queued: [ANN], duplicates: [], muted: [BOB] });
    const rows = await outbox.due(at, 10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ chatId: ANN, kind: 'fill', silent: true, text: 'Bought <b>0.1 &lt;BTC&gt;</b>', createdAt: at });

    const r2 = await alertOwners(db.prisma, { kind: 'risk', text: 'Halted', at });
    expect(r2).toEqual({ queued: [ANN, BOB], duplicates: [], muted: [] });
    const daily = await alertOwners(db.prisma, { kind: 'daily_summary', text: 'Report', at });
    expect(daily.queued).toEqual([ANN, BOB]);
    expect((await outbox.due(at, 10)).filter((x) => x.kind === 'daily_summary').map((x) => x.silent)).toEqual([true, true]);
  });

  it('dedupes per recipient, in the caller\'s transaction, and rolls back with it', async () => {
    const alert = { kind: 'fill' as const, text: 'Fill T1', dedupeKey: 'fill:binance:BTC/USDT:T1' };
    await db.prisma.$transaction(async (tx) => {
      expect(await alertOwners(tx, alert)).toEqual({ queued: [ANN, BOB], duplicates: [], muted: [] });
      expect(await alertOwners(tx, alert)).toEqual({ queued: [], duplicates: [ANN, BOB], muted: [] });
    });
    const keys = (await db.prisma.outbox.findMany({ orderBy: { id: 'asc' } })).map((r) => r.dedupeKey);
    expect(keys).toEqual(['fill:binance:BTC/USDT:T1@1001', 'fill:binance:BTC/USDT:T1@1002']);

    await expect(
      db.prisma.$transaction(async (tx) => {
        await alertOwners(tx, { kind: 'stop_loss', text: 'SL hit' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await db.prisma.outbox.count({ where: { kind: 'stop_loss' } })).toBe(0);
  });

  it('alertUsers targets chosen users (e.g. the one who made a change)', async () => {
    expect(await alertUsers(db.prisma, [VIC], { kind: 'manual_change', text: 'You changed the grid' })).toEqual({ queued: [VIC], duplicates: [], muted: [] });
  });
});
