/**
 * The multi-process setup of one process, by role. Without REDIS_URL it is inert: one process does
 * everything (role `all`), exactly as before. With REDIS_URL:
 * - bot / all: Telegram I/O and the app; the alert sender runs while this process holds the
 *   `alert-sender` lease (exactly one sender drains the outbox, even when two bot processes overlap
 *   during a restart); commands reach the workers through RemoteLoop (wakeups.ts, remote-loop.ts);
 * - worker / all: the trading loop over the bots this worker leases (bot-leases.ts), with the lease
 *   guard on every order and a fencing token on every write; stored halt requests carried out.
 * Global cron jobs are elected through Redis (coordinator.ts).
 */
import type { RunCoordinator } from 'node-cron';
import type { AlertSender } from '../alerts/sender.js';
import type { TradingLoop } from '../jobs/trading-loop.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Database } from '../store/database.js';
import { BotLeases } from './bot-leases.js';
import { RedisRunCoordinator } from './coordinator.js';
import { ExposureBoard } from './exposure-board.js';
import { guardExchange } from './guarded-exchange.js';
import type { TradingHooks } from './hooks.js';
import { LeaderLease, LeaseStore, leaseTiming, type LeaseTiming } from './lease.js';
import { fencedPaperStore, PAPER_LEASE, paperView, readOnlyPaperStore } from './paper.js';
import { connectRedis, keyPrefixFor, newWorkerId, type RedisPair } from './redis.js';
import { HaltExecutor, RemoteLoop } from './remote-loop.js';
import { runsLoop, runsTelegram, type Role } from './roles.js';
import { Wakeups } from './wakeups.js';
import type { PaperStateStore } from '../exchange/paper/state.js';

export interface ClusterOptions {
  role: Role;
  redisUrl?: string | undefined;
  databaseUrl: string;
  tradingMode: 'paper' | 'live';
  logger: Logger;
  clock?: Clock;
  /** Bot lease lifetime (ms). Default 15 s (renewed every 5 s). */
  leaseMs?: number;
  /** How long the bot process waits for a worker to answer a halt (ms). Default 20 s. */
  haltTimeoutMs?: number;
  /** Redis key prefix. Default derived from DATABASE_URL. */
  keyPrefix?: string;
  workerId?: string;
  /** This worker lost the paper account (another took it): it must stop trading and exit. */
  onFatal?: (reason: string) => void;
  onLeaseEvent?: (event: 'acquired' | 'released' | 'lost', botId: number) => void;
}

/** What the cluster needs of the trading side once built. */
export interface TradingParts {
  loop: TradingLoop;
  sender: AlertSender;
  start(parts?: { loop?: boolean; sender?: boolean }): Promise<void>;
}

export interface Cluster {
  readonly enabled: boolean;
  readonly role: Role;
  readonly workerId: string;
  /** For global cron jobs; null without Redis. */
  readonly coordinator: RunCoordinator | null;
  readonly timing: LeaseTiming | null;
  hooks(): TradingHooks;
  /** Paper trading, worker roles: wait (as a standby) until this process may run the paper book. */
  awaitPaperAccount(): Promise<void>;
  /** Starts what the role runs (loop and leases, sender, wake-ups). */
  start(trading: TradingParts): Promise<void>;
  /** Stops the loop first, then gives the leases back and closes Redis. Safe to call twice. */
  stop(): Promise<void>;
}

export async function openCluster(opts: ClusterOptions, db: Database): Promise<Cluster> {
  const clock = opts.clock ?? systemClock;
  if (!opts.redisUrl) {
    if (opts.role !== 'all') throw new Error(`--role ${opts.role} needs REDIS_URL (and DATABASE_URL=postgresql://...): without them one process does everything; leave --role out.`);
    return localCluster();
  }
  if (opts.role !== 'all' && db.kind !== 'postgres') {
    throw new Error(`--role ${opts.role} needs DATABASE_URL=postgresql://...: an embedded PGlite database cannot be shared between processes.`);
  }
  const redis = await connectRedis(opts.redisUrl, opts.keyPrefix ?? keyPrefixFor(opts.databaseUrl));
  return new RedisCluster(opts, db, redis, clock);
}

function localCluster(): Cluster {
  return {
    enabled: false,
    role: 'all',
    workerId: 'local',
    coordinator: null,
    timing: null,
    hooks: () => ({}),
    awaitPaperAccount: () => Promise.resolve(),
    start: (t) => t.start(),
    stop: () => Promise.resolve(),
  };
}

class RedisCluster implements Cluster {
  readonly enabled = true;
  readonly role: Role;
  readonly workerId: string;
  readonly coordinator: RunCoordinator;
  readonly timing: LeaseTiming;
  private readonly store: LeaseStore;
  private readonly leases: BotLeases;
  private readonly wakeups: Wakeups;
  private readonly remote: RemoteLoop;
  private readonly board: ExposureBoard;
  private paperLease: LeaderLease | null = null;
  private senderLease: LeaderLease | null = null;
  private executor: HaltExecutor | null = null;
  private loop: TradingLoop | null = null;
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly opts: ClusterOptions,
    private readonly db: Database,
    private readonly redis: RedisPair,
    private readonly clock: Clock,
  ) {
    this.role = opts.role;
    this.workerId = opts.workerId ?? newWorkerId();
    this.timing = leaseTiming(opts.leaseMs ?? 15_000);
    this.store = new LeaseStore(redis.cmd, redis.prefix, this.workerId, this.timing, clock);
    this.coordinator = new RedisRunCoordinator(redis.cmd, redis.prefix, this.workerId);
    this.leases = new BotLeases({ store: this.store, redis: redis.cmd, prefix: redis.prefix, prisma: db.prisma, clock, logger: opts.logger });
    this.wakeups = new Wakeups(redis, this.workerId, opts.logger);
    this.remote = new RemoteLoop({ prisma: db.prisma, wakeups: this.wakeups, leases: this.store, clock, timeoutMs: opts.haltTimeoutMs ?? 20_000 });
    this.board = new ExposureBoard({
      redis: redis.cmd,
      prefix: redis.prefix,
      owner: this.workerId,
      ttlMs: this.timing.ttlMs,
      clock,
      workers: () => this.leases.workers(),
      holders: (ids) => this.store.holders(ids.map((id) => `bot:${id}`)),
    });
  }

  hooks(): TradingHooks {
    const worker = runsLoop(this.role);
    let dbStore: PaperStateStore | null = null;
    const hooks: TradingHooks = {
      paperStore: (s) => {
        dbStore = s;
        return worker ? fencedPaperStore(s, () => this.paperLease?.isHeld ?? false) : readOnlyPaperStore(s);
      },
      exchange: (port) => {
        if (worker) return guardExchange(port, (botId) => this.leases.valid(botId));
        return port.mode === 'paper' && dbStore ? paperView(port, dbStore, this.clock) : port;
      },
      onAlertsQueued: () => this.wakeups.publish('alerts'),
      loop: worker
        ? {
            owns: (id) => this.leases.owns(id),
            beforeSync: (ids) => this.leases.prepare(ids),
            disown: (id) => this.leases.disown(id),
            remote: this.remote,
            accountExposures: (local, wanted) => this.board.exchange(local, wanted),
          }
        : { owns: async () => null, remote: this.remote },
    };
    return hooks;
  }

  async awaitPaperAccount(): Promise<void> {
    if (this.opts.tradingMode !== 'paper' || !runsLoop(this.role)) return;
    const log = this.opts.logger;
    this.paperLease = new LeaderLease(this.store, PAPER_LEASE, this.clock, {
      onLost: () => {
        if (this.stopped) return;
        log.error('lost the paper account to another worker: stopping (crash-only; start again to stand by)');
        this.opts.onFatal?.('paper account lease lost');
      },
      onError: (err) => log.warn({ err }, 'paper account lease check failed'),
    });
    await this.paperLease.start();
    if (!this.paperLease.isHeld) log.info('another worker runs the paper account: standing by until it stops');
    while (!this.paperLease.isHeld && !this.stopped) await this.paperLease.waitHeld(60_000);
    if (this.paperLease.isHeld) log.info('this worker runs the paper account');
  }

  async start(trading: TradingParts): Promise<void> {
    const { loop, sender } = trading;
    this.loop = loop;
    const worker = runsLoop(this.role);
    if (worker) {
      this.executor = new HaltExecutor({ prisma: this.db.prisma, loop, wakeups: this.wakeups, leases: this.store, logger: this.opts.logger, everyMs: Math.min(2_000, this.timing.renewMs) });
    }
    await this.wakeups.start({
      ...(worker ? { bots: () => void loop.syncHere().catch((err: unknown) => this.opts.logger.warn({ err }, 'sync after a wake-up failed')) } : {}),
      ...(runsTelegram(this.role) ? { alerts: () => sender.wake() } : {}),
      ...(this.executor ? { halt: (req) => this.executor!.onRequest(req) } : {}),
    });
    if (runsTelegram(this.role)) {
      this.senderLease = new LeaderLease(this.store, 'alert-sender', this.clock, {
        onGained: () => {
          this.opts.logger.info('this process sends the alerts');
          sender.start();
        },
        onLost: () => sender.stop(),
        onError: (err) => this.opts.logger.warn({ err }, 'alert sender lease check failed'),
      });
      await this.senderLease.start();
    }
    if (worker) {
      await this.leases.start({
        release: (id) => loop.release(id),
        syncSoon: () => void loop.syncHere().catch((err: unknown) => this.opts.logger.warn({ err }, 'sync for a free bot failed')),
        ...(this.opts.onLeaseEvent ? { onEvent: this.opts.onLeaseEvent } : {}),
      });
      await loop.start();
      await this.leases.announce(); // now the other workers may hand bots over to this one
      this.executor!.start();
    }
    // The rest of the trading side's jobs; the loop and the sender are started above, by role.
    await trading.start({ loop: false, sender: false });
    this.opts.logger.info({ role: this.role, worker: this.workerId, leaseMs: this.timing.ttlMs }, 'cluster member started');
  }

  stop(): Promise<void> {
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  private async doStop(): Promise<void> {
    const step = async (what: string, fn: () => Promise<unknown>) => {
      await fn().catch((err: unknown) => this.opts.logger.warn({ err, what }, 'error while leaving the cluster'));
    };
    await step('loop', async () => this.loop?.stop());
    await step('halts', async () => this.executor?.stop());
    await step('leases', () => this.leases.stop());
    await step('board', () => this.board.clear());
    await step('sender', async () => this.senderLease?.stop());
    await step('paper', async () => this.paperLease?.stop());
    await step('wakeups', () => this.wakeups.stop());
    await this.redis.close();
  }
}
