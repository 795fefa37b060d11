/**
 * node-cron's RunCoordinator over Redis: a global job (outbox maintenance, candle refresh, mark
 * snapshots, the daily summary) fires once per schedule across every process. The first process to
 * `SET <prefix>cron:<job>:<slot> <owner> NX PX ttl` for a fire runs it; the key stays until it
 * expires, so a process whose timer fires late for the same slot does not run it again.
 */
import type { Redis } from 'ioredis';
import type { RunCoordinator } from 'node-cron';

export class RedisRunCoordinator implements RunCoordinator {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly owner: string,
  ) {}

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const r = await this.redis.set(`${this.prefix}cron:${key}`, this.owner, 'PX', Math.max(1_000, ttlMs), 'NX');
    return r === 'OK';
  }

  /** Nothing to do: the slot's key expires by itself (deleting it would let a late process run the slot again). */
  onComplete(): void {}
}

/** Without Redis (one process): every fire runs here. */
export const localRunCoordinator: RunCoordinator = { shouldRun: () => true };
