import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotLeases } from '../../src/cluster/bot-leases.js';
import { guardExchange } from '../../src/cluster/guarded-exchange.js';
import { LeaseStore, leaseTiming } from '../../src/cluster/lease.js';
import { snapshotMarkets } from '../../src/exchange/markets/snapshot.js';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BotRepository } from '../../src/store/bots.js';
import { openDatabase, type Database } from '../../src/store/index.js';
import { LeaseLostError } from '../../src/trading/types.js';
import { sleep, testRedis, until, type TestRedis } from './redis-helpers.js';

describe('bot leases across workers', () => {
  let r: TestRedis;
  let db: Database;
  const ttl = 600;
  const managers: BotLeases[] = [];
  beforeAll(async () => {
    r = await testRedis();
    db = await openDatabase('pglite:memory');
    const bots = new BotRepository(db.prisma);
    for (let i = 0; i < 6; i++) await bots.create({ strategy: 'grid', symbol: 'BTC/USDT', mode: 'paper', config: {}, createdBy: 1 });
  }, 60_000);
  afterAll(async () => {
    for (const m of managers) await m.stop().catch(() => undefined);
    await r.close();
    await db?.close();
  });

  async function worker(owner: string) {
    const redis = await r.connect();
    const store = new LeaseStore(redis, r.prefix, owner, leaseTiming(ttl), systemClock);
    const released: number[] = [];
    const m = new BotLeases({ store, redis, prefix: r.prefix, prisma: db.prisma, clock: systemClock, logger: silentLogger() });
    await m.start({ release: async (id) => void released.push(id) });
    await m.announce();
    managers.push(m);
    return { m, released, store };
  }

  /** One sync pass of a trading loop: ask for every running bot not held yet. */
  async function sync(m: BotLeases): Promise<void> {
    const ids = [1, 2, 3, 4, 5, 6].filter((id) => !m.heldIds().includes(id));
    await m.prepare(ids);
    for (const id of ids) await m.owns(id);
  }

  it('shares the bots, fences each takeover, moves a frozen worker\'s bots within a lease period, and stops its orders', async () => {
    const a = await worker('A');
    await sync(a.m);
    expect(a.m.heldIds()).toHaveLength(6); // alone: everything
    const fenceBefore = (await new BotRepository(db.prisma).get(1))!.fence;

    const b = await worker('B');
    // A gives up its surplus (the newest first); B takes what is free up to its share.
    await until(async () => {
      await sync(b.m);
      return b.m.heldIds().length === 3 && a.m.heldIds().length === 3;
    }, 5_000, 'an even split');
    expect(a.released.length).toBeGreaterThanOrEqual(3);
    const heldA = new Set(a.m.heldIds());
    expect(b.m.heldIds().some((id) => heldA.has(id))).toBe(false);

    // A freezes (as a process stuck or killed would): its leases run out, B takes them with new fences.
    a.m.freeze();
    const frozenAt = Date.now();
    const aBots = a.m.heldIds();
    const exchange = await PaperExchange.open({ markets: snapshotMarkets(), clock: systemClock, initialBalances: { USDT: 1000 } });
    const guarded = guardExchange(exchange, (id) => a.m.valid(id));
    await until(async () => {
      await sync(b.m);
      return b.m.heldIds().length === 6;
    }, 3 * ttl, 'the takeover');
    const took = Date.now() - frozenAt;
    expect(took).toBeLessThanOrEqual(2 * ttl);
    for (const id of aBots) {
      expect(a.m.valid(id)).toBe(false);
      expect((await new BotRepository(db.prisma).get(id))!.fence).toBeGreaterThan(fenceBefore);
    }
    // The stale worker's orders never leave.
    await expect(guarded.createOrder({ clientOrderId: `tx-${aBots[0]}-1`, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 10_000 })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
    await exchange.close();
  });

  it('gives every lease back on a clean stop', async () => {
    const c = await worker('C');
    await sleep(ttl); // the frozen workers above are gone from the worker list by now
    await until(async () => {
      await sync(c.m);
      return c.m.heldIds().length > 0;
    }, 3 * ttl, 'C taking bots');
    await c.m.stop();
    expect(await c.store.holders(c.m.heldIds().map((id) => `bot:${id}`))).toEqual([]);
    const redis = await r.connect();
    const keys = await redis.keys(`${r.prefix}lease:bot:*`);
    const owners = keys.length > 0 ? await redis.mget(...keys) : [];
    expect(owners).not.toContain('C');
  });
});
