/**
 * Lease checks of the two-worker crash test:
 * - unowned: Redis is polled every 50 ms; the longest time a bot had no lease (after it first had
 *   one) must stay within one lease period;
 * - takeover: after a worker is killed, how long until each of its bots has a new holder;
 * - one at a time: every order that reached the exchange carries (through its database row) the
 *   fencing token of the worker that wrote it; none may arrive after a newer token was taken for
 *   the same bot (that would be a worker acting on a bot another worker already runs).
 */
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CrashProc } from './crash-procs.js';
import type { SentOrder } from './crash-market.js';

export interface LeaseReport {
  polls: number;
  maxUnownedMs: number;
  longestUnowned: { botId: number; from: number; to: number } | null;
  maxTakeoverMs: number;
  takeovers: number;
  acquisitions: number;
  staleSends: number;
  violations: string[];
}

export class LeaseMonitor {
  private timer: NodeJS.Timeout | null = null;
  private readonly owner = new Map<number, string | null>();
  private readonly freeSince = new Map<number, number>();
  private readonly kills: { name: string; at: number; owner: string | null; bots: number[]; takenAt: Map<number, number> }[] = [];
  maxUnownedMs = 0;
  /** The longest time without a lease: which bot, from when to when. */
  longest: { botId: number; from: number; to: number } | null = null;
  polls = 0;
  private busy = false;
  /** Worker ids by process name (from their "cluster member started" log line). */
  readonly workerIds = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly bots: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 50);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  killed(name: string, at: number): void {
    const id = this.workerIds.get(name) ?? null;
    const bots = [...this.owner].filter(([, o]) => o !== null && o === id).map(([b]) => b);
    this.kills.push({ name, at, owner: id, bots, takenAt: new Map() });
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const ids = Array.from({ length: this.bots }, (_, i) => i + 1);
      const owners = await this.redis.mget(...ids.map((id) => `${this.prefix}lease:bot:${id}`));
      const now = Date.now();
      this.polls++;
      ids.forEach((id, i) => {
        const o = owners[i] ?? null;
        const seen = this.owner.has(id);
        if (o === null && seen) {
          const since = this.freeSince.get(id) ?? now;
          this.freeSince.set(id, since);
          if (now - since > this.maxUnownedMs) {
            this.maxUnownedMs = now - since;
            this.longest = { botId: id, from: since, to: now };
          }
        } else if (o !== null) this.freeSince.delete(id);
        if (o !== null || seen) this.owner.set(id, o);
        for (const k of this.kills) if (k.bots.includes(id) && o !== null && o !== k.owner && !k.takenAt.has(id)) k.takenAt.set(id, now);
      });
    } finally {
      this.busy = false;
    }
  }

  takeovers(): { count: number; maxMs: number; pending: number } {
    let count = 0;
    let maxMs = 0;
    let pending = 0;
    for (const k of this.kills) {
      for (const b of k.bots) {
        const t = k.takenAt.get(b);
        if (t === undefined) pending++;
        else {
          count++;
          maxMs = Math.max(maxMs, t - k.at);
        }
      }
    }
    return { count, maxMs, pending };
  }
}

export async function analyseLeases(d: { prisma: PrismaClient; procs: CrashProc[]; sends: SentOrder[]; monitor: LeaseMonitor; leaseMs: number }): Promise<LeaseReport> {
  const v: string[] = [];
  // When each fencing token of each bot was taken (from the workers' logs).
  const takenAt = new Map<string, number>();
  let acquisitions = 0;
  for (const p of d.procs) {
    for (const e of p.events) {
      if (e.msg === 'took the bot lease' && typeof e.botId === 'number' && typeof e.fence === 'number') {
        takenAt.set(`${e.botId}:${e.fence}`, Number(e.time));
        acquisitions++;
      }
    }
  }
  const rows = await d.prisma.order.findMany({ select: { clientOrderId: true, botId: true, fence: true } });
  const byCid = new Map(rows.map((r) => [r.clientOrderId, r]));
  const fencesOf = new Map<number, { fence: number; at: number }[]>();
  for (const [k, at] of takenAt) {
    const [bot, fence] = k.split(':').map(Number) as [number, number];
    const list = fencesOf.get(bot) ?? [];
    list.push({ fence, at });
    fencesOf.set(bot, list);
  }
  let stale = 0;
  for (const s of d.sends) {
    const row = byCid.get(s.clientOrderId);
    if (!row) continue;
    const newer = (fencesOf.get(row.botId) ?? []).find((f) => f.fence > row.fence && f.at < s.at);
    if (newer) {
      stale++;
      if (stale <= 5) v.push(`order ${s.clientOrderId} (fence ${row.fence}) reached the exchange ${s.at - newer.at} ms after fence ${newer.fence} was taken`);
    }
  }
  const t = d.monitor.takeovers();
  if (d.monitor.maxUnownedMs > d.leaseMs) v.push(`a running bot had no lease for ${d.monitor.maxUnownedMs} ms (lease period ${d.leaseMs} ms)`);
  if (t.pending > 0) v.push(`${t.pending} bot(s) of killed workers were never taken over`);
  return { polls: d.monitor.polls, maxUnownedMs: d.monitor.maxUnownedMs, longestUnowned: d.monitor.longest, maxTakeoverMs: t.maxMs, takeovers: t.count, acquisitions, staleSends: stale, violations: v };
}
