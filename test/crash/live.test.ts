// The crash test, scaled down, on the Binance emulator (emulated live trading): one process killed
// with -9 again and again; then a bot process and two workers on PostgreSQL + Redis where one worker
// at a time is killed (the full size: `npx tsx scripts/crash-test.ts --live` / `--workers 2`).
import { describe, expect, it } from 'vitest';
import { runCrashTest } from '../../src/dev/crash-harness.js';
import { POSTGRES_URL, REDIS_URL } from '../cluster/redis-helpers.js';

describe('kill -9 at random moments, emulated live trading', () => {
  it('doubles, loses and forgets nothing over 3 kills of the one process', async () => {
    const s = await runCrashTest({ mode: 'live', workers: 1, kills: 3, bots: 3, seed: 7, upMs: [200, 1500] });
    console.log(JSON.stringify({ crash: 'live', kills: s.kills, orders: s.orders, fills: s.fills, alerts: s.alerts, ms: s.durationMs }));
    expect(s.violations).toEqual([]);
    expect(s.orders.exchange).toBeGreaterThan(20);
    expect(s.fills.database).toBe(s.fills.exchange);
    expect(s.ok).toBe(true);
  }, 170_000);

  // A killed worker's lease runs out within one lease period; the survivor notices at its next renewal
  // (a third of the period) and syncs at once, so no bot is free for longer than one lease period and
  // each is taken over within two of the kill.
  it('with two workers, one killed at a time: each bot on one worker at once, never unowned for more than a lease period', async () => {
    const s = await runCrashTest({ mode: 'live', workers: 2, kills: 3, bots: 4, seed: 99, leaseMs: 3_000, upMs: [200, 1500], postgresUrl: POSTGRES_URL, redisUrl: REDIS_URL });
    console.log(JSON.stringify({ crash: 'two-workers', kills: s.kills, orders: s.orders, fills: s.fills, alerts: s.alerts, leases: s.leases, ms: s.durationMs }));
    expect(s.violations).toEqual([]);
    expect(s.leases!.staleSends).toBe(0);
    expect(s.leases!.takeovers).toBeGreaterThan(0);
    expect(s.leases!.maxUnownedMs).toBeLessThanOrEqual(3_000);
    expect(s.leases!.maxTakeoverMs).toBeLessThanOrEqual(6_000);
    expect(s.fills.database).toBe(s.fills.exchange);
    expect(s.ok).toBe(true);
  }, 170_000);
});
