/**
 * The bots a worker runs: one Redis lease per bot (see lease.ts), renewed together on a timer, and a
 * new database fencing token on each acquisition so a worker that lost a bot cannot write for it
 * again. A free bot is taken by the first worker that syncs (a dead worker's bots move on as soon as
 * their leases expire). Workers announce themselves with a heartbeat once their loop runs; a worker
 * above its fair share (running bots / live workers) hands its newest bots over, and does not take
 * a bot it handed over back before one renewal period has passed (then it does, if nobody else did).
 */
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { BotRepository } from '../store/bots.js';
import type { LeaseStore } from './lease.js';

export interface BotLeaseHooks {
  /** The lease could not be renewed, or is being handed over: stop running the bot (after its current step). */
  release(botId: number): Promise<void>;
  onEvent?(event: 'acquired' | 'released' | 'lost', botId: number): void;
  /** A running bot has no lease: sync now rather than at the next tick (a slow cycle must not delay a takeover). */
  syncSoon?(): void;
}

interface Held {
  fence: number;
  validUntil: number;
  since: number;
}

export class BotLeases {
  private readonly held = new Map<number, Held>();
  /** Bots handed over recently: not taken back before this time unless overdue. */
  private readonly cooldown = new Map<number, number>();
  /** Handovers wait until then (a handed-over bot came back: the others are too slow to take more now). */
  private pauseHandovers = 0;
  private peek = new Map<number, string | null>();
  private readonly leaving = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private beat: Promise<void> = Promise.resolve();
  private share = Infinity;
  private hooks: BotLeaseHooks | null = null;
  private announced = false;

  constructor(
    private readonly deps: {
      store: LeaseStore;
      redis: Redis;
      prefix: string;
      prisma: PrismaClient;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  private get workersKey(): string {
    return `${this.deps.prefix}workers`;
  }

  private name(botId: number): string {
    return `bot:${botId}`;
  }

  /** Starts the renewal timer (before the loop takes any bot). */
  async start(hooks: BotLeaseHooks): Promise<void> {
    this.hooks = hooks;
    this.timer = setInterval(() => {
      this.beat = this.beat.then(() => this.renewAll()).catch((err: unknown) => this.deps.logger.warn({ err }, 'lease renewal failed'));
    }, this.deps.store.timing.renewMs);
  }

  /**
   * Joins the workers' list (once the loop runs and can take bots): from now on the others hand
   * bots over to this worker.
   */
  async announce(): Promise<void> {
    this.announced = true;
    await this.refreshShare(await this.heartbeat());
  }

  /** Stops renewing and gives every lease back (graceful shutdown: the runners are already stopped). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beat;
    for (const id of [...this.held.keys()]) await this.disown(id);
    await this.deps.redis.zrem(this.workersKey, this.deps.store.owner).catch(() => 0);
  }

  /**
   * Stops renewing without giving anything back, as a frozen or dead process would (tests): the
   * leases run out, this worker stops counting them valid, and other workers take the bots.
   */
  freeze(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether this worker may act for the bot right now (checked before every order it sends). */
  valid(botId: number): boolean {
    const h = this.held.get(botId);
    return h !== undefined && this.deps.clock.now() < h.validUntil;
  }

  heldIds(): number[] {
    return [...this.held.keys()];
  }

  /** Reads the lease holders of the bots about to be asked for, in one round trip. */
  async prepare(botIds: readonly number[]): Promise<void> {
    const holders = await this.deps.store.holders(botIds.map((id) => this.name(id)));
    this.peek = new Map(botIds.map((id, i) => [id, holders[i] ?? null]));
  }

  /** TradingLoop's `owns`: the fencing token when this worker holds (or just took) the bot, else null. */
  async owns(botId: number): Promise<number | null> {
    const now = this.deps.clock.now();
    if (this.leaving.has(botId)) return null;
    const mine = this.held.get(botId);
    if (mine && now < mine.validUntil) return mine.fence;
    if (mine) this.held.delete(botId);
    const holder = this.peek.has(botId) ? this.peek.get(botId)! : (await this.deps.store.holders([this.name(botId)]))[0]!;
    this.peek.delete(botId);
    if (holder !== null && holder !== this.deps.store.owner) return null;
    // Handed over by this worker a moment ago: left for the others for one renewal period.
    if ((this.cooldown.get(botId) ?? 0) > now) return null;
    const until = await this.deps.store.acquire(this.name(botId));
    if (until === null) return null;
    try {
      const fence = await new BotRepository(this.deps.prisma).takeFence(botId);
      this.held.set(botId, { fence, validUntil: until, since: now });
      if (this.cooldown.has(botId)) {
        this.cooldown.delete(botId);
        this.pauseHandovers = now + 3 * this.deps.store.timing.ttlMs;
      }
      this.hooks?.onEvent?.('acquired', botId);
      this.deps.logger.info({ botId, fence, worker: this.deps.store.owner }, 'took the bot lease');
      return fence;
    } catch (err) {
      await this.deps.store.release(this.name(botId)).catch(() => false);
      throw err;
    }
  }

  /** TradingLoop's `disown`: the runner is gone, give the lease back. */
  async disown(botId: number): Promise<void> {
    if (!this.held.delete(botId)) return;
    await this.deps.store.release(this.name(botId));
    this.hooks?.onEvent?.('released', botId);
  }

  /** Records this worker as alive (once announced) and returns how many workers are. */
  private async heartbeat(): Promise<number> {
    const now = this.deps.clock.now();
    const ttl = this.deps.store.timing.ttlMs;
    const m = this.deps.redis.multi();
    if (this.announced) m.zadd(this.workersKey, now, this.deps.store.owner);
    const r = await m.zremrangebyscore(this.workersKey, '-inf', now - ttl).zcard(this.workersKey).exec();
    const n = Number(r?.at(-1)?.[1] ?? 1);
    return Math.max(1, n);
  }

  /** Live workers (including this one). */
  async workers(): Promise<string[]> {
    return this.deps.redis.zrangebyscore(this.workersKey, this.deps.clock.now() - this.deps.store.timing.ttlMs, '+inf');
  }

  private async renewAll(): Promise<void> {
    const workers = await this.heartbeat();
    const ids = [...this.held.keys()];
    const results = await this.deps.store.renew(ids.map((id) => this.name(id)));
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const until = results[i];
      const h = this.held.get(id);
      if (!h) continue;
      if (until === null || until === undefined) {
        this.held.delete(id);
        this.deps.logger.warn({ botId: id }, 'lost the bot lease');
        this.hooks?.onEvent?.('lost', id);
        // Not awaited: the runner stops after its current step; renewals of the others must not wait for it.
        this.background(this.hooks?.release(id));
      } else h.validUntil = until;
    }
    await this.refreshShare(workers);
    this.handOver(workers);
    if (this.announced && this.hooks?.syncSoon && (await this.anyFree())) this.hooks.syncSoon();
  }

  /** Whether a running bot has no lease (and is not one this worker just handed over). */
  private async anyFree(): Promise<boolean> {
    const rows = await this.deps.prisma.bot.findMany({ where: { status: 'running' }, select: { id: true } });
    const ids = rows.map((r) => r.id).filter((id) => !this.held.has(id));
    if (ids.length === 0) return false;
    const holders = await this.deps.store.holders(ids.map((id) => this.name(id)));
    const now = this.deps.clock.now();
    return ids.some((id, i) => holders[i] === null && (this.cooldown.get(id) ?? 0) <= now);
  }

  private async refreshShare(workers: number): Promise<void> {
    const running = await this.deps.prisma.bot.count({ where: { status: 'running' } });
    this.share = Math.max(1, Math.ceil(running / workers));
  }

  private background(p: Promise<void> | undefined): void {
    p?.catch((err: unknown) => this.deps.logger.warn({ err }, 'could not stop a bot whose lease ended'));
  }

  /**
   * Above the fair share (a worker joined): give the newest bots up, a tenth of the share per renewal,
   * for the other workers to take. The runner stops first, then the lease goes.
   */
  private handOver(workers: number): void {
    const surplus = this.held.size - this.share;
    const now = this.deps.clock.now();
    if (!this.announced || workers < 2 || surplus <= 0 || now < this.pauseHandovers) return;
    const n = Math.min(surplus, Math.max(1, Math.ceil(this.share / 10)));
    const newest = [...this.held].filter(([id]) => !this.leaving.has(id)).sort((a, b) => b[1].since - a[1].since).slice(0, n);
    for (const [id] of newest) {
      this.leaving.add(id);
      this.cooldown.set(id, now + this.deps.store.timing.renewMs);
      this.deps.logger.info({ botId: id, share: this.share, held: this.held.size }, 'handing a bot over to balance the workers');
      this.background(
        (async () => {
          await this.hooks?.release(id);
          await this.disown(id);
        })().finally(() => this.leaving.delete(id)),
      );
    }
  }
}
