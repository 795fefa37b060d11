// The confirmation repository on PGlite (and PostgreSQL when TEST_DATABASE_URL is set): a claim is one
// conditional UPDATE that only one of several concurrent callers wins.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfirmationRepository, type NewConfirmation } from '../../src/store/confirmations.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { createTempPostgres, storageTargets, TEST_DATABASE_URL, type TempPostgres } from './helpers.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): Date => new Date(T0 + s * 1000);

const sample = (over: Partial<NewConfirmation> = {}): NewConfirmation => ({
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  userId: 7_000_000_001,
  chatId: 7_000_000_001,
  action: 'stop_all',
  payload: { bots: [1, 2], flatten: true },
  hash: 'h',
  createdAt: at(0),
  expiresAt: at(60),
  ...over,
});

describe.each(storageTargets)('confirmation repository on %s', (kind) => {
  let db: Database;
  let temp: TempPostgres | undefined;
  let repo: ConfirmationRepository;

  beforeAll(async () => {
    if (kind === 'postgres') temp = await createTempPostgres(TEST_DATABASE_URL!);
    db = await openDatabase(temp?.url ?? 'pglite:memory');
    repo = new ConfirmationRepository(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });
  beforeEach(async () => {
    await db.prisma.confirmation.deleteMany();
  });

  it('stores a confirmation and reads it back', async () => {
    await repo.create(sample());
    expect(await repo.get('AAAAAAAAAAAAAAAAAAAAAA')).toEqual({
      ...sample(),
      usedAt: null,
      result: null,
    });
    expect(await repo.get('nope')).toBeNull();
  });

  it('claims once: unused, unexpired, same user and chat', async () => {
    await repo.create(sample());
    const claim = { id: 'AAAAAAAAAAAAAAAAAAAAAA', userId: 7_000_000_001, chatId: 7_000_000_001, result: 'confirmed' };
    expect(await repo.claim({ ...claim, userId: 5, now: at(1) })).toBeNull();
    expect(await repo.claim({ ...claim, chatId: -100, now: at(1) })).toBeNull();
    const won = await repo.claim({ ...claim, now: at(2) });
    expect(won).toMatchObject({ usedAt: at(2), result: 'confirmed', action: 'stop_all', payload: { bots: [1, 2], flatten: true } });
    expect(await repo.claim({ ...claim, now: at(3) })).toBeNull();
    expect(await repo.get(claim.id)).toMatchObject({ usedAt: at(2), result: 'confirmed' });
  });

  it('does not claim at or after expiry', async () => {
    await repo.create(sample());
    const claim = { id: 'AAAAAAAAAAAAAAAAAAAAAA', userId: 7_000_000_001, chatId: 7_000_000_001, result: 'confirmed' };
    expect(await repo.claim({ ...claim, now: at(60) })).toBeNull();
    expect(await repo.claim({ ...claim, now: at(59.999) })).not.toBeNull();
  });

  it('of 10 concurrent claims exactly one wins', async () => {
    await repo.create(sample());
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        repo.claim({ id: 'AAAAAAAAAAAAAAAAAAAAAA', userId: 7_000_000_001, chatId: 7_000_000_001, now: at(1 + i / 1000), result: `r${i}` }),
      ),
    );
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
  });

  it('records results and prunes expired confirmations', async () => {
    await repo.create(sample());
    await repo.create(sample({ id: 'BBBBBBBBBBBBBBBBBBBBBB', expiresAt: at(600) }));
    await repo.setResult('AAAAAAAAAAAAAAAAAAAAAA', 'tampered');
    expect((await repo.get('AAAAAAAAAAAAAAAAAAAAAA'))!.result).toBe('tampered');
    expect(await repo.pruneExpired(at(60))).toBe(0);
    expect(await repo.pruneExpired(at(61))).toBe(1);
    expect(await repo.get('AAAAAAAAAAAAAAAAAAAAAA')).toBeNull();
    expect(await repo.get('BBBBBBBBBBBBBBBBBBBBBB')).not.toBeNull();
  });
});
