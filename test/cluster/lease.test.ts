import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRunCoordinator } from '../../src/cluster/coordinator.js';
import { LeaderLease, LeaseStore, leaseTiming } from '../../src/cluster/lease.js';
import { parseRole, RoleError } from '../../src/cluster/roles.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { sleep, testRedis, until, type TestRedis } from './redis-helpers.js';

describe('Redis leases', () => {
  let r: TestRedis;
  beforeAll(async () => {
    r = await testRedis();
  });
  afterAll(async () => {
    await r.close();
  });

  it('gives a lease to one owner at a time, renews and releases only for its owner', async () => {
    const redis = await r.connect();
    const timing = leaseTiming(600);
    const a = new LeaseStore(redis, r.prefix, 'A', timing, systemClock);
    const b = new LeaseStore(redis, r.prefix, 'B', timing, systemClock);
    const t0 = Date.now();
    const until1 = await a.acquire('x');
    expect(until1).not.toBeNull();
    // Valid until well before the key can expire: ttl - margin.
    expect(until1!).toBeLessThanOrEqual(t0 + 600 - 200 + 50);
    expect(await b.acquire('x')).toBeNull();
    expect(await b.renew(['x'])).toEqual([null]);
    expect(await b.release('x')).toBe(false);
    expect(await a.holders(['x', 'y'])).toEqual(['A', null]);
    const [renewed] = await a.renew(['x']);
    expect(renewed).toBeGreaterThan(until1!);
    expect(await a.release('x')).toBe(true);
    expect(await b.acquire('x')).not.toBeNull();
    // A lease nobody renews runs out: the next owner gets it.
    await sleep(700);
    expect(await a.holders(['x'])).toEqual([null]);
    expect(await a.acquire('x')).not.toBeNull();
  });

  it('keeps a leader lease with its holder while it renews, and hands it to the standby when it stops', async () => {
    const redis = await r.connect();
    const timing = leaseTiming(450);
    const events: string[] = [];
    const one = new LeaderLease(new LeaseStore(redis, r.prefix, 'one', timing, systemClock), 'sender', systemClock, {
      onGained: () => void events.push('one+'),
      onLost: () => void events.push('one-'),
    });
    const two = new LeaderLease(new LeaseStore(redis, r.prefix, 'two', timing, systemClock), 'sender', systemClock, {
      onGained: () => void events.push('two+'),
      onLost: () => void events.push('two-'),
    });
    await one.start();
    await two.start();
    expect(one.isHeld).toBe(true);
    expect(two.isHeld).toBe(false);
    await sleep(600);
    expect(two.isHeld).toBe(false); // renewals keep it with the first
    await one.stop(); // gives it back
    expect(await two.waitHeld(2_000)).toBe(true);
    expect(events).toEqual(['one+', 'one-', 'two+']);
    await two.stop();
  });

  it('elects exactly one process per cron fire (RunCoordinator over Redis)', async () => {
    const redis = await r.connect();
    const coords = ['p1', 'p2', 'p3'].map((o) => new RedisRunCoordinator(redis, r.prefix, o));
    const votes = await Promise.all(coords.map((c) => c.shouldRun('job:2026-01-01T00:00:00.000Z', 10_000)));
    expect(votes.filter(Boolean)).toHaveLength(1);
    expect(await coords[0]!.shouldRun('job:2026-01-01T00:00:01.000Z', 10_000)).toBe(true);

    // Three schedulers with the same global job: each second fires once in all.
    const runs: string[] = [];
    const schedulers = ['p1', 'p2', 'p3'].map(
      (o, i) => new JobScheduler({ logger: silentLogger(), coordinator: coords[i]! }),
    );
    schedulers.forEach((s, i) => s.add({ name: `tick-${r.prefix}`, cron: '* * * * * *', global: true, run: () => void runs.push(`p${i + 1}`) }));
    const local: string[] = [];
    schedulers.forEach((s, i) => s.add({ name: 'local', cron: '* * * * * *', global: false, run: () => void local.push(`p${i + 1}`) }));
    await sleep(3_300);
    for (const s of schedulers) await s.stop();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(4);
    // Per-process jobs run everywhere.
    expect(local.length).toBeGreaterThanOrEqual(3 * (runs.length - 1));
  });
});

describe('--role', () => {
  it('reads bot, worker and all, defaults to all, and refuses anything else with one sentence', () => {
    expect(parseRole([])).toBe('all');
    expect(parseRole(['--role', 'worker'])).toBe('worker');
    expect(parseRole(['--role=BOT'])).toBe('bot');
    expect(() => parseRole(['--role', 'boss'])).toThrow(RoleError);
    expect(() => parseRole(['--role'])).toThrow(/needs a value/);
  });
});

describe('until helper', () => {
  it('fails when the condition never holds', async () => {
    await expect(until(() => false, 50)).rejects.toThrow(/timed out/);
  });
});
