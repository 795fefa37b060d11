/**
 * Redis leases: `SET key owner NX PX ttl` to take one, a Lua compare-and-pexpire to renew it, a Lua
 * compare-and-del to give it back. A lease only says who SHOULD act; the database arbitrates (the
 * fencing token taken on acquiring a bot's lease is checked on every write, see BotRepository).
 *
 * A holder counts its lease valid until `start of the last successful renew + ttl - margin`
 * (measured before the request left), so it stops acting before anyone else can take over.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../lib/clock.js';

const RENEW = `
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface LeaseTiming {
  /** Lease lifetime in Redis (ms). */
  ttlMs: number;
  /** How often holders renew (ms); well under ttlMs. */
  renewMs: number;
  /** A holder stops acting this long before its lease could expire (ms). */
  marginMs: number;
}

/** Defaults: a 15 s lease renewed every 5 s; the holder acts for at most 10 s after its last renewal. */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { ttlMs: 15_000, renewMs: 5_000, marginMs: 5_000 };

export function leaseTiming(ttlMs: number): LeaseTiming {
  return { ttlMs, renewMs: Math.max(100, Math.floor(ttlMs / 3)), marginMs: Math.max(50, Math.floor(ttlMs / 3)) };
}

export class LeaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly owner: string,
    readonly timing: LeaseTiming,
    private readonly clock: Clock,
  ) {}

  key(name: string): string {
    return `${this.prefix}lease:${name}`;
  }

  /** Takes the lease when free. Returns the time until which the holder may act, or null. */
  async acquire(name: string): Promise<number | null> {
    const t0 = this.clock.now();
    const r = await this.redis.set(this.key(name), this.owner, 'PX', this.timing.ttlMs, 'NX');
    return r === 'OK' ? this.validFrom(t0) : null;
  }

  /** Renews the leases still held. Returns per name the new validity deadline, or null when lost. */
  async renew(names: readonly string[]): Promise<(number | null)[]> {
    if (names.length === 0) return [];
    const t0 = this.clock.now();
    const r = (await this.redis.eval(RENEW, names.length, ...names.map((n) => this.key(n)), this.owner, String(this.timing.ttlMs))) as number[];
    return names.map((_, i) => (r[i] === 1 ? this.validFrom(t0) : null));
  }

  /** Gives the lease back if still held. */
  async release(name: string): Promise<boolean> {
    const r = (await this.redis.eval(RELEASE, 1, this.key(name), this.owner)) as number;
    return r === 1;
  }

  /** Current holders of the named leases (null: free). */
  async holders(names: readonly string[]): Promise<(string | null)[]> {
    if (names.length === 0) return [];
    return this.redis.mget(...names.map((n) => this.key(n)));
  }

  private validFrom(t0: number): number {
    return t0 + this.timing.ttlMs - this.timing.marginMs;
  }
}

/**
 * One named lease kept by a timer (the alert sender's, the paper account's): `onGained` when taken,
 * `onLost` when it could not be renewed. Never held by two processes for longer than the margin.
 */
export class LeaderLease {
  private timer: NodeJS.Timeout | null = null;
  private validUntil = 0;
  private held = false;
  private busy: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: LeaseStore,
    private readonly name: string,
    private readonly clock: Clock,
    private readonly hooks: { onGained?: () => void | Promise<void>; onLost?: () => void | Promise<void>; onError?: (err: unknown) => void } = {},
  ) {}

  get isHeld(): boolean {
    return this.held && this.clock.now() < this.validUntil;
  }

  /** Tries at once, then every renew period. */
  start(): Promise<void> {
    this.stopped = false;
    const beat = (): void => {
      this.busy = this.busy.then(() => this.step()).catch((err: unknown) => this.hooks.onError?.(err));
    };
    beat();
    this.timer = setInterval(beat, this.store.timing.renewMs);
    return this.busy;
  }

  /** Waits until held (polling at the renew period) or the timeout passes; true when held. */
  async waitHeld(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.isHeld && Date.now() < until && !this.stopped) await new Promise((r) => setTimeout(r, Math.min(100, this.store.timing.renewMs)));
    return this.isHeld;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
    if (this.held) {
      this.held = false;
      await this.hooks.onLost?.();
      await this.store.release(this.name).catch(() => false);
    }
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    if (this.held) {
      const [until] = await this.store.renew([this.name]).catch(() => [undefined]);
      if (until === undefined) {
        // Redis did not answer: keep acting until the deadline, then give up.
        if (this.clock.now() >= this.validUntil) await this.lose();
        return;
      }
      if (until === null) return this.lose();
      this.validUntil = until;
      return;
    }
    const until = await this.store.acquire(this.name);
    if (until !== null) {
      this.validUntil = until;
      this.held = true;
      await this.hooks.onGained?.();
    }
  }

  private async lose(): Promise<void> {
    this.held = false;
    this.validUntil = 0;
    await this.hooks.onLost?.();
  }
}
