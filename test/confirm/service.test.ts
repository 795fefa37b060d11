// Button confirmations (DESIGN rule 8): single-use, expiring, bound to the user, the chat and the exact
// action. On PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfirmData, parseConfirmPayload } from '../../src/confirm/callback-data.js';
import { actionHash, canonicalJson } from '../../src/confirm/hash.js';
import { ConfirmationService, REFUSAL_MESSAGES, confirmButtons } from '../../src/confirm/service.js';
import { ManualClock } from '../../src/lib/clock.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { createTempPostgres, storageTargets, TEST_DATABASE_URL, type TempPostgres } from '../store/helpers.js';

const ANN = 7_000_000_001;
const BOB = 7_000_000_002;
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Deterministic "random" bytes: 1, 2, 3 ... so ids differ and tests can predict nothing else. */
function counterBytes(): (n: number) => Uint8Array {
  let next = 0;
  return (n) => Uint8Array.from({ length: n }, () => (next = (next + 1) % 256));
}

describe('confirmation callback data and hash', () => {
  it('fits in 64 bytes and parses back; anything else is null', () => {
    const id = randomBytes(16).toString('base64url');
    expect(id).toHaveLength(22);
    expect(parseConfirmData(`cf:${id}:y`)).toEqual({ id, choice: 'y' });
    expect(parseConfirmPayload(`${id}:n`)).toEqual({ id, choice: 'n' });
    expect(Buffer.byteLength(`cf:${id}:y`)).toBeLessThanOrEqual(64);
    for (const bad of [
      `cf:${id}:x`, `cf:${id}`, `cf:${id}:y:extra`, `xx:${id}:y`, `cf:${id.slice(1)}:y`, `cf:${id.slice(0, 21)}!:y`,
      `cf:${id}A:y`, '', 'cf::y', 42, null, undefined, { id, choice: 'y' },
    ]) {
      expect(parseConfirmData(bad), String(bad)).toBeNull();
    }
  });

  it('the hash ignores key order and binds action, payload, user and chat', () => {
    const base = actionHash('stop_all', { a: 1, b: [1, { c: 2, d: null }] }, ANN, ANN);
    expect(actionHash('stop_all', { b: [1, { d: null, c: 2 }], a: 1 }, ANN, ANN)).toBe(base);
    expect(canonicalJson({ b: 1, a: { z: 1, y: [2, 'x'] } })).toBe('{"a":{"y":[2,"x"],"z":1},"b":1}');
    expect(actionHash('flatten', { a: 1, b: [1, { c: 2, d: null }] }, ANN, ANN)).not.toBe(base);
    expect(actionHash('stop_all', { a: 2, b: [1, { c: 2, d: null }] }, ANN, ANN)).not.toBe(base);
    expect(actionHash('stop_all', { a: 1, b: [1, { c: 2, d: null }] }, BOB, ANN)).not.toBe(base);
    expect(actionHash('stop_all', { a: 1, b: [1, { c: 2, d: null }] }, ANN, -100)).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe.each(storageTargets)('confirmation service on %s', (kind) => {
  let db: Database;
  let temp: TempPostgres | undefined;
  let clock: ManualClock;
  let service: ConfirmationService;

  beforeAll(async () => {
    if (kind === 'postgres') temp = await createTempPostgres(TEST_DATABASE_URL!);
    db = await openDatabase(temp?.url ?? 'pglite:memory');
  });
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });
  beforeEach(async () => {
    await db.prisma.confirmation.deleteMany();
    clock = new ManualClock(T0);
    service = new ConfirmationService(db.prisma, { clock, randomBytes: (n) => randomBytes(n) });
  });

  const stopAll = { userId: ANN, chatId: ANN, action: 'stop_all', payload: { bots: [3, 1], flatten: false }, ttlMs: 60_000 };

  it('creates buttons whose data fits Telegram, stores the hash, and confirms once', async () => {
    const c = await service.create(stopAll);
    expect(c.confirmData).toBe(`cf:${c.id}:y`);
    expect(c.cancelData).toBe(`cf:${c.id}:n`);
    expect(Buffer.byteLength(c.confirmData)).toBeLessThanOrEqual(64);
    expect(c.id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    expect(c.expiresAt).toEqual(new Date(T0 + 60_000));
    expect(confirmButtons(c)).toEqual([[{ text: '✅ Confirm', data: c.confirmData }, { text: 'Cancel', data: c.cancelData }]]);
    const row = await db.prisma.confirmation.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.hash).toBe(actionHash('stop_all', { bots: [3, 1], flatten: false }, ANN, ANN));

    clock.advance(59_999);
    expect(await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN })).toEqual({
      ok: true, id: c.id, action: 'stop_all', payload: { bots: [3, 1], flatten: false },
    });
    expect(await db.prisma.confirmation.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ result: 'confirmed', usedAt: new Date(T0 + 59_999) });
  });

  it('a replayed button is refused: "already used"', async () => {
    const c = await service.create(stopAll);
    expect((await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN })).ok).toBe(true);
    const again = await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN });
    expect(again).toEqual({ ok: false, reason: 'used', message: 'This button was already used.' });
    // Cancelling after confirming changes nothing either.
    expect(await service.consumeData({ data: c.cancelData, userId: ANN, chatId: ANN })).toMatchObject({ ok: false, reason: 'used' });
  });

  it('of two (and ten) concurrent presses exactly one confirms', async () => {
    const c = await service.create(stopAll);
    const two = await Promise.all([
      service.consume({ id: c.id, userId: ANN, chatId: ANN, choice: 'y' }),
      service.consume({ id: c.id, userId: ANN, chatId: ANN, choice: 'y' }),
    ]);
    expect(two.filter((r) => r.ok)).toHaveLength(1);
    expect(two.find((r) => !r.ok)).toMatchObject({ reason: 'used' });

    const d = await service.create(stopAll);
    const ten = await Promise.all(Array.from({ length: 10 }, () => service.consumeData({ data: d.confirmData, userId: ANN, chatId: ANN })));
    expect(ten.filter((r) => r.ok)).toHaveLength(1);
  });

  it('expires with the clock: refused at expiry, with one clear sentence', async () => {
    const c = await service.create({ ...stopAll, ttlMs: 30_000 });
    clock.advance(30_000);
    expect(await service.consume({ id: c.id, userId: ANN, chatId: ANN, choice: 'y' })).toEqual({
      ok: false, reason: 'expired', message: 'This confirmation has expired; run the command again.',
    });
    clock.set(T0 + 29_999); // even if time went back, the failed press did not use it up
    expect((await service.consume({ id: c.id, userId: ANN, chatId: ANN, choice: 'y' })).ok).toBe(true);
  });

  it('refuses a foreign user (and a foreign chat) without using the button up', async () => {
    const c = await service.create(stopAll);
    expect(await service.consumeData({ data: c.confirmData, userId: BOB, chatId: ANN })).toEqual({
      ok: false, reason: 'foreign', message: 'This button belongs to someone else.',
    });
    expect(await service.consumeData({ data: c.confirmData, userId: ANN, chatId: -1001 })).toMatchObject({ ok: false, reason: 'foreign' });
    expect(await service.consumeData({ data: c.cancelData, userId: BOB, chatId: BOB })).toMatchObject({ ok: false, reason: 'foreign' });
    expect((await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN })).ok).toBe(true);
  });

  it('cancel uses it up with result "cancelled"; a later confirm is refused', async () => {
    const c = await service.create(stopAll);
    expect(await service.consumeData({ data: c.cancelData, userId: ANN, chatId: ANN })).toEqual({
      ok: false, reason: 'cancelled', message: REFUSAL_MESSAGES.cancelled,
    });
    expect((await db.prisma.confirmation.findUniqueOrThrow({ where: { id: c.id } })).result).toBe('cancelled');
    expect(await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN })).toMatchObject({ ok: false, reason: 'cancelled' });
  });

  it('malformed or unknown callback data is "unknown" and changes nothing', async () => {
    const c = await service.create(stopAll);
    const unknown = { ok: false, reason: 'unknown', message: REFUSAL_MESSAGES.unknown };
    for (const data of [`cf:${c.id}:maybe`, `cf:${c.id}`, `cf:${c.id.slice(2)}:y`, 'cf:../../etc:y', '', `cf:${c.id}:y:y`, 12]) {
      expect(await service.consumeData({ data, userId: ANN, chatId: ANN }), String(data)).toEqual(unknown);
    }
    expect(await service.consume({ id: c.id, userId: ANN, chatId: ANN, choice: 'Y' })).toEqual(unknown);
    expect(await service.consume({ id: 42, userId: ANN, chatId: ANN, choice: 'y' })).toEqual(unknown);
    expect(await service.consume({ id: c.id, userId: 1.5, chatId: ANN, choice: 'y' })).toEqual(unknown);
    // A well-formed id that was never issued.
    expect(await service.consumeData({ data: `cf:${'A'.repeat(22)}:y`, userId: ANN, chatId: ANN })).toEqual(unknown);
    expect((await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN })).ok).toBe(true);
  });

  it('refuses a row whose payload or action was edited in the database (hash mismatch)', async () => {
    const c = await service.create(stopAll);
    await db.prisma.confirmation.update({ where: { id: c.id }, data: { payload: { bots: [3, 1], flatten: true } } });
    expect(await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN })).toEqual({
      ok: false, reason: 'tampered', message: REFUSAL_MESSAGES.tampered,
    });
    expect((await db.prisma.confirmation.findUniqueOrThrow({ where: { id: c.id } })).result).toBe('tampered');

    const d = await service.create({ ...stopAll, action: 'pause_all' });
    await db.prisma.confirmation.update({ where: { id: d.id }, data: { action: 'mode:live' } });
    expect(await service.consumeData({ data: d.confirmData, userId: ANN, chatId: ANN })).toMatchObject({ ok: false, reason: 'tampered' });

    // Key order in the stored JSON does not matter: only the content does.
    const e = await service.create({ ...stopAll, payload: { z: 1, a: { y: 2, b: 3 } } });
    await db.prisma.confirmation.update({ where: { id: e.id }, data: { payload: { a: { b: 3, y: 2 }, z: 1 } } });
    expect(await service.consumeData({ data: e.confirmData, userId: ANN, chatId: ANN })).toMatchObject({ ok: true });
  });

  it('ids come from the injected random source', async () => {
    const seeded = new ConfirmationService(db.prisma, { clock, randomBytes: counterBytes() });
    const a = await seeded.create(stopAll);
    const b = await seeded.create(stopAll);
    expect(a.id).toBe(Buffer.from(Array.from({ length: 16 }, (_, i) => i + 1)).toString('base64url'));
    expect(b.id).not.toBe(a.id);
    const short = new ConfirmationService(db.prisma, { clock, randomBytes: () => new Uint8Array(8) });
    await expect(short.create(stopAll)).rejects.toThrow(RangeError);
  });

  it('validates what it creates: ttl, action, JSON payload', async () => {
    await expect(service.create({ ...stopAll, ttlMs: 0 })).rejects.toThrow();
    await expect(service.create({ ...stopAll, ttlMs: 2 * 86_400_000 })).rejects.toThrow();
    await expect(service.create({ ...stopAll, action: '' })).rejects.toThrow();
    await expect(service.create({ ...stopAll, payload: { n: 10n } })).rejects.toThrow(/bigint/);
    await expect(service.create({ ...stopAll, payload: undefined })).rejects.toThrow(/JSON/);
    expect(await db.prisma.confirmation.count()).toBe(0);
    const nul = await service.create({ ...stopAll, payload: null });
    expect(await service.consumeData({ data: nul.confirmData, userId: ANN, chatId: ANN })).toMatchObject({ ok: true, payload: null });
  });

  it('works inside a transaction (tx) and prunes old expired rows', async () => {
    const c = await db.prisma.$transaction(async (tx) => new ConfirmationService(tx, { clock, randomBytes: (n) => randomBytes(n) }).create(stopAll));
    clock.advance(8 * 86_400_000);
    expect(await service.prune(7)).toBe(1);
    expect(await service.consumeData({ data: c.confirmData, userId: ANN, chatId: ANN })).toMatchObject({ reason: 'unknown' });
  });
});
