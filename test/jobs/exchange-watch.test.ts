// The exchange-watch job with several processes sharing one database (PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set): one "down" and one "back" per outage whoever notices, also across a restart.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExchangeError } from '../../src/exchange/types.js';
import { checkExchange, OUTAGE_KEY, type WatchDeps } from '../../src/jobs/exchange-watch.js';
import { ManualClock } from '../../src/lib/clock.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { UserRepository } from '../../src/store/index.js';
import { ExchangeHealth } from '../../src/trading/exchange-health.js';
import { createTempPostgres, storageTargets, TEST_DATABASE_URL, type TempPostgres } from '../store/helpers.js';

const LIMIT = 5 * 60_000;
const down = new ExchangeError('retryable', 'network', 'connection refused');

describe.each(storageTargets)('exchange watch on %s', (kind) => {
  let db: Database;
  let temp: TempPostgres | undefined;
  let clock: ManualClock;
  let wakes: number;

  beforeAll(async () => {
    if (kind === 'postgres') temp = await createTempPostgres(TEST_DATABASE_URL!);
    db = await openDatabase(temp?.url ?? 'pglite:memory');
    await new UserRepository(db.prisma).upsertOwners([11]);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });
  beforeEach(async () => {
    await db.prisma.outbox.deleteMany();
    await db.prisma.setting.deleteMany({ where: { key: OUTAGE_KEY } });
    clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 0));
    wakes = 0;
  });

  const process = (): WatchDeps => ({ prisma: db.prisma, health: new ExchangeHealth(clock, LIMIT), exchangeId: 'binance', clock, wake: () => wakes++ });
  const texts = async (): Promise<string[]> => (await db.prisma.outbox.findMany({ where: { kind: 'exchange_down' }, orderBy: { id: 'asc' } })).map((r) => r.text);

  it('two processes in the same outage: one "down", one "back", even when they check at the same moment', async () => {
    const a = process();
    const b = process();
    a.health.failed(down);
    b.health.failed(down);
    clock.advance(LIMIT);
    const said = await Promise.all([checkExchange(a), checkExchange(b)]);
    expect(said.filter((s) => s === 'down')).toHaveLength(1);
    expect(said.filter((s) => s === null)).toHaveLength(1);
    clock.advance(3 * 60_000);
    a.health.ok();
    b.health.ok();
    const back = await Promise.all([checkExchange(a), checkExchange(b)]);
    expect(back.filter((s) => s === 'back')).toHaveLength(1);
    expect(await Promise.all([checkExchange(a), checkExchange(b)])).toEqual([null, null]);
    const t = await texts();
    expect(t).toHaveLength(2);
    expect(t[0]).toContain('binance unreachable</b> for 5 min (connection refused)');
    expect(t[1]).toContain('binance answers again</b> after about 8 min');
    expect(wakes).toBe(2);
  });

  it('a process restarted during the outage says "back" once its calls get through', async () => {
    const before = process();
    before.health.failed(down);
    clock.advance(LIMIT + 60_000);
    expect(await checkExchange(before)).toBe('down');
    // kill -9: the new process knows nothing of the outage but the stored row.
    const after = process();
    expect(await checkExchange(after)).toBeNull(); // no call yet: nothing known
    after.health.failed(down);
    expect(await checkExchange(after)).toBeNull(); // still down, and already said
    clock.advance(60_000);
    after.health.ok();
    expect(await checkExchange(after)).toBe('back');
    expect(await db.prisma.setting.count({ where: { key: OUTAGE_KEY } })).toBe(0);
    expect(await texts()).toHaveLength(2);
  });

  it('a short blip says nothing', async () => {
    const a = process();
    a.health.failed(down);
    clock.advance(60_000);
    a.health.ok();
    clock.advance(LIMIT);
    expect(await checkExchange(a)).toBeNull();
    expect(await texts()).toEqual([]);
  });
});
