// The crash test, scaled down (the full size: `npx tsx scripts/crash-test.ts`): paper grid bots on a
// fast-forwarded candle replay, the process killed with -9 at random moments and started again.
import { describe, expect, it } from 'vitest';
import { runCrashTest } from '../../src/dev/crash-harness.js';

describe('kill -9 at random moments, paper trading', () => {
  it('doubles, loses and forgets nothing over 10 kills', async () => {
    const s = await runCrashTest({ mode: 'paper', workers: 1, kills: 10, bots: 3, seed: 20261122, upMs: [200, 1500] });
    console.log(JSON.stringify({ crash: 'paper', kills: s.kills, killsBeforeReady: s.killsBeforeReady, orders: s.orders, fills: s.fills, alerts: s.alerts, ms: s.durationMs }));
    expect(s.violations).toEqual([]);
    expect(s.kills).toBe(10);
    expect(s.orders.exchange).toBeGreaterThan(20);
    expect(s.orders.duplicates).toBe(0);
    expect(s.fills.database).toBe(s.fills.exchange);
    expect(s.positions.ok).toBe(true);
    expect(s.alerts.undelivered).toBe(0);
    expect(s.ok).toBe(true);
  }, 170_000);
});
