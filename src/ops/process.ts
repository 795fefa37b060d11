/**
 * What every process runs around the trading side, by role: the cluster membership (src/cluster),
 * the metrics, the scheduled jobs and the /health + /metrics server. Used by the runtime (roles bot
 * and all) and by the worker (src/cluster/worker.ts).
 *
 *   const proc = await prepareProcess({ config, db, logger, clock, role });   // before setupTrading
 *   const trading = await setupTrading({ ..., hooks: proc.hooks });
 *   await proc.start(trading);                                               // loop, sender, jobs, ops
 *   ... proc.stop() (first), then trading.stop()
 */
import type { TradingSetup } from '../app/trading-setup.js';
import { combineHooks, type TradingHooks } from '../cluster/hooks.js';
import { openCluster, type Cluster, type ClusterOptions } from '../cluster/cluster.js';
import { runsLoop, runsTelegram, type Role } from '../cluster/roles.js';
import type { Config } from '../config/load.js';
import { candleRefreshJob, outboxDrainJob, outboxPruneJob, snapshotJob } from '../jobs/app-jobs.js';
import { JobScheduler } from '../jobs/scheduler.js';
import { dailySummaryJob } from '../jobs/daily-summary.js';
import { exchangeWatchJob } from '../jobs/exchange-watch.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { BotRepository } from '../store/bots.js';
import type { Database } from '../store/database.js';
import { OutboxRepository } from '../store/outbox.js';
import { startOpsServer, type OpsServer } from './http-server.js';
import { metricsHooks } from './metrics-hooks.js';
import { Metrics } from './metrics.js';

export interface ProcessOptions {
  config: Config;
  db: Database;
  logger: Logger;
  clock: Clock;
  role: Role;
  /** Cluster settings beyond the environment (lease length, key prefix: tests and the crash harness). */
  cluster?: Partial<Omit<ClusterOptions, 'role' | 'logger' | 'databaseUrl' | 'tradingMode'>>;
  /** Extra details for /health. */
  health?: () => Record<string, unknown>;
}

export interface ProcessServices {
  readonly cluster: Cluster;
  readonly metrics: Metrics;
  readonly hooks: TradingHooks;
  /** Where more jobs go (the daily summary): global jobs fire once across processes. */
  readonly jobs: JobScheduler;
  ops: OpsServer | null;
  start(trading: TradingSetup): Promise<void>;
  stop(): Promise<void>;
}

export async function prepareProcess(opts: ProcessOptions): Promise<ProcessServices> {
  const { config, db, logger } = opts;
  const env = config.env;
  const metrics = new Metrics();
  const cluster = await openCluster(
    {
      role: opts.role,
      redisUrl: env.REDIS_URL,
      databaseUrl: env.DATABASE_URL,
      tradingMode: env.TRADING_MODE,
      logger,
      onLeaseEvent: (e) => metrics.leaseEvents.inc({ event: e }),
      onFatal: (reason) => {
        logger.fatal({ reason }, 'this worker must stop');
        process.exit(3);
      },
      ...opts.cluster,
    },
    db,
  );
  try {
    await cluster.awaitPaperAccount();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  const jobs = new JobScheduler({ logger, coordinator: cluster.coordinator, metrics });
  let stopped: Promise<void> | null = null;
  let trading: TradingSetup | null = null;

  const services: ProcessServices = {
    cluster,
    metrics,
    jobs,
    ops: null,
    hooks: combineHooks(metricsHooks(metrics), cluster.hooks()),
    async start(t: TradingSetup) {
      trading = t;
      metrics.setSources({
        botCounts: () => new BotRepository(db.prisma).counts(),
        outboxCounts: () => new OutboxRepository(db.prisma).counts(),
        runnersHeld: () => t.loop.size,
      });
      await cluster.start(t);
      scheduleJobs(services.jobs, opts, t, metrics);
      if (env.HTTP_PORT !== undefined) {
        const startedAt = opts.clock.now();
        services.ops = await startOpsServer({
          port: env.HTTP_PORT,
          metrics: metrics.registry,
          logger,
          health: async () => {
            await db.prisma.$queryRaw`SELECT 1`;
            return {
              uptimeMs: opts.clock.now() - startedAt,
              database: db.kind,
              mode: env.TRADING_MODE,
              role: cluster.role,
              worker: cluster.workerId,
              bots: runsLoop(cluster.role) ? t.loop.size : undefined,
              ...opts.health?.(),
            };
          },
        });
      }
    },
    stop() {
      stopped ??= (async () => {
        await services.ops?.close().catch(() => undefined);
        await jobs.stop();
        await cluster.stop();
        if (trading) metrics.onSenderStats(trading.sender.stats);
      })();
      return stopped;
    },
  };
  return services;
}

function scheduleJobs(jobs: JobScheduler, opts: ProcessOptions, t: TradingSetup, metrics: Metrics): void {
  const { config, db } = opts;
  const exchange = t.exchange.exchange;
  if (runsTelegram(opts.role)) {
    jobs.add(outboxDrainJob({ sender: t.sender, onStats: (s) => metrics.onSenderStats(s) }));
    jobs.add(outboxPruneJob({ prisma: db.prisma, clock: opts.clock }));
  }
  const wake = (): void => t.sender.wake();
  jobs.add(dailySummaryJob({ prisma: db.prisma, reports: t.reports, clock: opts.clock, timeZone: config.app.timezone, hour: config.app.alerts.dailySummaryHour, wake }));
  jobs.add(exchangeWatchJob({ prisma: db.prisma, health: t.health, exchangeId: config.env.EXCHANGE, clock: opts.clock, wake }));
  jobs.add(snapshotJob({ prisma: db.prisma, exchange, clock: t.clock, everySeconds: config.app.trading.snapshotSeconds }));
  // Only real prices go to the candle cache (a replay has its files, a synthetic series is not market data).
  const real = t.exchange.marketData === null || t.exchange.marketData.kind === 'live';
  if (real) jobs.add(candleRefreshJob({ prisma: db.prisma, exchange, clock: t.clock, exchangeName: config.env.EXCHANGE }));
}
