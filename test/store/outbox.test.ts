// The alert outbox repository on PGlite (and PostgreSQL when TEST_DATABASE_URL is set).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/database.js';
import { OutboxRepository, PARKED_AT } from '../../src/store/outbox.js';
import { createTempPostgres, storageTargets, TEST_DATABASE_URL, type TempPostgres } from './helpers.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): Date => new Date(T0 + s * 1000);

describe.each(storageTargets)('outbox repository on %s', (kind) => {
  let db: Database;
  let temp: TempPostgres | undefined;
  let outbox: OutboxRepository;

  beforeAll(async () => {
    if (kind === 'postgres') temp = await createTempPostgres(TEST_DATABASE_URL!);
    db = await openDatabase(temp?.url ?? 'pglite:memory');
    outbox = new OutboxRepository(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });
  beforeEach(async () => {
    await db.prisma.outbox.deleteMany();
  });

  it('enqueues an alert and reads it back with its fields', async () => {
    expect(await outbox.enqueue({ chatId: 7_000_000_001, kind: 'fill', text: '<b>Bought</b> 0.1 BTC', silent: true, botId: null, at: at(0) })).toBe(true);
    const [row] = await outbox.due(at(0), 10);
    expect(row).toMatchObject({
      chatId: 7_000_000_001, kind: 'fill', text: '<b>Bought</b> 0.1 BTC', silent: true, botId: null, dedupeKey: null,
      attempts: 0, lastError: null, sendingAt: null, deliveredAt: null, messageId: null,
    });
    expect(row!.createdAt).toEqual(at(0));
    expect(row!.nextAttemptAt).toEqual(at(0));
    expect(typeof row!.id).toBe('number');
  });

  it('ignores a duplicate dedupeKey silently, and the transaction goes on', async () => {
    await db.prisma.$transaction(async (tx) => {
      const o = new OutboxRepository(tx);
      expect(await o.enqueue({ chatId: 1, kind: 'fill', text: 'first', dedupeKey: 'fill:T1@1', at: at(0) })).toBe(true);
      expect(await o.enqueue({ chatId: 1, kind: 'fill', text: 'again', dedupeKey: 'fill:T1@1', at: at(0) })).toBe(false);
      // A failed statement would have aborted a PostgreSQL transaction; this one still works.
      expect(await o.enqueue({ chatId: 1, kind: 'fill', text: 'second', dedupeKey: 'fill:T2@1', at: at(0) })).toBe(true);
    });
    expect(await outbox.enqueue({ chatId: 1, kind: 'fill', text: 'later', dedupeKey: 'fill:T1@1', at: at(1) })).toBe(false);
    expect((await outbox.due(at(5), 10)).map((r) => r.text)).toEqual(['first', 'second']);
  });

  it('an alert enqueued in a rolled-back transaction does not exist', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await new OutboxRepository(tx).enqueue({ chatId: 1, kind: 'risk', text: 'halted', at: at(0) });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await outbox.counts()).toEqual({ queued: 0, delivered: 0, parked: 0 });
  });

  it('due: undelivered rows whose time has come, oldest first, limited', async () => {
    await outbox.enqueueMany([
      { chatId: 1, kind: 'fill', text: 'a', at: at(0) },
      { chatId: 2, kind: 'fill', text: 'b', at: at(1) },
      { chatId: 1, kind: 'fill', text: 'c', at: at(2) },
      { chatId: 3, kind: 'fill', text: 'future', at: at(60) },
    ]);
    expect((await outbox.due(at(10), 10)).map((r) => r.text)).toEqual(['a', 'b', 'c']);
    expect((await outbox.due(at(10), 2)).map((r) => r.text)).toEqual(['a', 'b']);
    expect((await outbox.due(at(60), 10)).map((r) => r.text)).toEqual(['a', 'b', 'c', 'future']);
    const [a] = await outbox.due(at(10), 1);
    await outbox.markDelivered([a!.id], 55, at(11));
    expect((await outbox.due(at(10), 10)).map((r) => r.text)).toEqual(['b', 'c']);
  });

  it('due keeps a chat in order: rows behind one that is backing off wait for it', async () => {
    await outbox.enqueueMany([
      { chatId: 1, kind: 'fill', text: 'one', at: at(0) },
      { chatId: 1, kind: 'fill', text: 'two', at: at(1) },
      { chatId: 2, kind: 'fill', text: 'other chat', at: at(1) },
    ]);
    const [one] = await outbox.due(at(5), 1);
    await outbox.markFailed([one!.id], { error: '502 Bad Gateway', nextAttemptAt: at(30) });
    expect((await outbox.due(at(5), 10)).map((r) => r.text)).toEqual(['other chat']);
    expect(await outbox.nextDueAt()).toEqual(at(1)); // chat 2's head
    const [other] = await outbox.due(at(5), 10);
    await outbox.markDelivered([other!.id], 1, at(6));
    expect(await outbox.nextDueAt()).toEqual(at(30)); // chat 1 waits for its head, not for 'two' (due at 1 s)
    expect((await outbox.due(at(30), 10)).map((r) => r.text)).toEqual(['one', 'two']);
  });

  it('marks sending, failed (attempts + 1, error, next attempt) and delivered', async () => {
    await outbox.enqueue({ chatId: 5, kind: 'drawdown', text: 'x', at: at(0) });
    const [row] = await outbox.due(at(0), 1);
    const id = row!.id;
    expect(await outbox.markSending([id], at(1))).toBe(1);
    expect((await outbox.get(id))!.sendingAt).toEqual(at(1));

    await outbox.markFailed([id], { error: '429 Too Many Requests: retry after 3', nextAttemptAt: at(4) });
    let r = (await outbox.get(id))!;
    expect(r).toMatchObject({ attempts: 1, lastError: '429 Too Many Requests: retry after 3', sendingAt: null, nextAttemptAt: at(4) });

    await outbox.markSending([id], at(4));
    await outbox.markFailed([id], { error: 'network: ECONNRESET', nextAttemptAt: at(6), keepSending: true });
    r = (await outbox.get(id))!;
    expect(r).toMatchObject({ attempts: 2, sendingAt: at(4), nextAttemptAt: at(6) });

    await outbox.markSending([id], at(6));
    expect(await outbox.markDelivered([id], 321, at(7))).toBe(1);
    r = (await outbox.get(id))!;
    expect(r).toMatchObject({ deliveredAt: at(7), messageId: 321 });
    // A delivered row is never marked again: not sending, not failed, not delivered twice.
    expect(await outbox.markSending([id], at(8))).toBe(0);
    expect(await outbox.markDelivered([id], 999, at(8))).toBe(0);
    expect(await outbox.markFailed([id], { error: 'late', nextAttemptAt: at(9) })).toBe(0);
    expect(await outbox.get(id)).toMatchObject({ messageId: 321, deliveredAt: at(7), attempts: 2 });
    expect(await outbox.due(at(100), 10)).toEqual([]);
  });

  it('releaseSending clears sendingAt of rows not sent after all (delivered rows untouched)', async () => {
    await outbox.enqueueMany([
      { chatId: 1, kind: 'fill', text: 'a', at: at(0) },
      { chatId: 1, kind: 'fill', text: 'b', at: at(0) },
    ]);
    const [a, b] = await outbox.due(at(0), 10);
    await outbox.markSending([a!.id, b!.id], at(1));
    await outbox.markDelivered([a!.id], 5, at(2));
    expect(await outbox.releaseSending([a!.id, b!.id])).toBe(1);
    expect(await outbox.get(a!.id)).toMatchObject({ sendingAt: at(1), deliveredAt: at(2) });
    expect(await outbox.get(b!.id)).toMatchObject({ sendingAt: null, deliveredAt: null, attempts: 0 });
    expect(await outbox.releaseSending([])).toBe(0);
  });

  it('parks rows (kept, not due, not blocking their chat) and requeues them', async () => {
    await outbox.enqueueMany([
      { chatId: 9, kind: 'fill', text: 'refused', at: at(0) },
      { chatId: 9, kind: 'fill', text: 'fine', at: at(1) },
    ]);
    const [refused] = await outbox.due(at(2), 1);
    await outbox.park([refused!.id], 'permanent 3/3: 403 Forbidden: bot was blocked by the user');
    expect((await outbox.due(at(2), 10)).map((r) => r.text)).toEqual(['fine']);
    expect(await outbox.counts()).toEqual({ queued: 1, delivered: 0, parked: 1 });
    const parked = await outbox.parked();
    expect(parked.map((r) => [r.text, r.nextAttemptAt.getTime(), r.lastError])).toEqual([
      ['refused', PARKED_AT.getTime(), 'permanent 3/3: 403 Forbidden: bot was blocked by the user'],
    ]);
    expect(await outbox.requeueParked(at(50), 8)).toBe(0);
    expect(await outbox.requeueParked(at(50), 9)).toBe(1);
    expect((await outbox.due(at(50), 10)).map((r) => r.text)).toEqual(['refused', 'fine']);
    expect(await outbox.get(refused!.id)).toMatchObject({ lastError: null, nextAttemptAt: at(50) });
  });

  it('counts queued and delivered rows, and prunes delivered rows older than N days only', async () => {
    await outbox.enqueueMany([1, 2, 3, 4].map((i) => ({ chatId: i, kind: 'fill', text: `t${i}`, at: at(0) })));
    const rows = await outbox.due(at(0), 10);
    await outbox.markDelivered([rows[0]!.id], 1, new Date(T0 - 10 * 86_400_000));
    await outbox.markDelivered([rows[1]!.id], 2, new Date(T0 - 2 * 86_400_000));
    expect(await outbox.counts()).toEqual({ queued: 2, delivered: 2, parked: 0 });
    expect(await outbox.pruneDelivered(at(0), 7)).toBe(1);
    expect(await outbox.counts()).toEqual({ queued: 2, delivered: 1, parked: 0 });
    expect(await outbox.pruneDelivered(at(0), 1)).toBe(1);
    expect(await outbox.counts()).toEqual({ queued: 2, delivered: 0, parked: 0 });
    // Undelivered rows are never pruned, however old.
    expect(await outbox.pruneDelivered(new Date(T0 + 365 * 86_400_000), 0)).toBe(0);
    expect((await outbox.due(at(0), 10)).length).toBe(2);
  });

  it('nextDueAt is null for an empty queue and uses the database defaults without `at`', async () => {
    expect(await outbox.nextDueAt()).toBeNull();
    await outbox.enqueue({ chatId: 1, kind: 'fill', text: 'now' });
    const next = await outbox.nextDueAt();
    expect(next).toBeInstanceOf(Date);
    expect((await outbox.due(new Date(next!.getTime() + 1), 10)).map((r) => r.text)).toEqual(['now']);
  });
});
