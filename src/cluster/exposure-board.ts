/**
 * The account's risk gate sees every worker's bots, not only its own: each worker posts its bots'
 * holdings to Redis every cycle (one key per worker, expiring with its leases) and reads everyone's.
 * When a running bot is missing from the picture (a worker just died or started, a bot is moving)
 * the answer is null and the loop judges nothing that cycle: a partial sum could fake a drawdown.
 * A bot no worker has held for three lease periods (it fails to open) counts as not running, as it
 * would in one process.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import type { LocalExposure } from '../jobs/trading-loop.js';
import type { BotExposure } from '../trading/risk-monitor.js';

const entry = z.object({ botId: z.number(), symbol: z.string(), base: z.number(), quote: z.number(), lockedQuote: z.number(), price: z.number() });
const post = z.object({ at: z.number(), bots: z.array(entry) });

export class ExposureBoard {
  constructor(
    private readonly d: {
      redis: Redis;
      prefix: string;
      owner: string;
      ttlMs: number;
      clock: Clock;
      workers: () => Promise<string[]>;
      /** Lease holders of these bots (null: free). */
      holders: (botIds: readonly number[]) => Promise<(string | null)[]>;
    },
  ) {}

  private readonly unheldSince = new Map<number, number>();

  private key(owner: string): string {
    return `${this.d.prefix}exposure:${owner}`;
  }

  async exchange(local: LocalExposure[], wanted: readonly number[]): Promise<BotExposure[] | null> {
    const at = this.d.clock.now();
    await this.d.redis.set(this.key(this.d.owner), JSON.stringify({ at, bots: local }), 'PX', this.d.ttlMs);
    const workers = await this.d.workers();
    const others = workers.filter((w) => w !== this.d.owner);
    const raw = others.length > 0 ? await this.d.redis.mget(...others.map((w) => this.key(w))) : [];
    const byBot = new Map<number, { at: number; e: LocalExposure }>();
    for (const e of local) byBot.set(e.botId, { at, e });
    for (const r of raw) {
      if (!r) continue;
      let p: z.infer<typeof post>;
      try {
        p = post.parse(JSON.parse(r));
      } catch {
        continue;
      }
      for (const e of p.bots) {
        const seen = byBot.get(e.botId);
        if (!seen || seen.at < p.at) byBot.set(e.botId, { at: p.at, e });
      }
    }
    const missing = wanted.filter((id) => !byBot.has(id));
    if (missing.length > 0) {
      const holders = await this.d.holders(missing);
      let incomplete = false;
      missing.forEach((id, i) => {
        if (holders[i]) {
          incomplete = true; // held, not posted yet
          this.unheldSince.delete(id);
          return;
        }
        const since = this.unheldSince.get(id) ?? at;
        this.unheldSince.set(id, since);
        if (at - since < 3 * this.d.ttlMs) incomplete = true; // moving between workers
      });
      if (incomplete) return null;
    }
    for (const id of this.unheldSince.keys()) if (byBot.has(id)) this.unheldSince.delete(id);
    const want = new Set(wanted);
    return [...byBot.values()].filter((v) => want.has(v.e.botId)).map((v) => v.e);
  }

  async clear(): Promise<void> {
    await this.d.redis.del(this.key(this.d.owner));
  }
}
