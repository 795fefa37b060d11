/**
 * `npm start -- --role worker`: runs bots and nothing that talks to Telegram. Database, trading side
 * (exchange, risk gate, loop), cluster membership (leases, wake-ups), jobs and /health + /metrics.
 * Needs DATABASE_URL=postgresql://... and REDIS_URL; any number of workers share the bots.
 */
import { setupTrading, type TradingSetup } from '../app/trading-setup.js';
import type { Config } from '../config/load.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { prepareProcess, type ProcessOptions, type ProcessServices } from '../ops/process.js';
import { openDatabase, type Database } from '../store/index.js';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Whether the paper exchange may use the exchange's public API (default: when reachable). */
  online?: boolean;
  cluster?: ProcessOptions['cluster'];
}

export interface Worker {
  db: Database;
  trading: TradingSetup;
  services: ProcessServices;
  /** Stops the loop (after its current cycle), gives the leases back, closes everything. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<Worker> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const startedAt = clock.now();
  const env = config.env;
  const db = await openDatabase(env.DATABASE_URL, { logger });
  const stops: (() => Promise<void>)[] = [() => db.close()];
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      while (stops.length > 0) await stops.pop()!().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
    })();
    return stopping;
  };
  try {
    const services = await prepareProcess({ config, db, logger, clock, role: 'worker', ...(opts.cluster ? { cluster: opts.cluster } : {}) });
    stops.push(() => services.stop());
    // A worker never sends to Telegram (the sender runs in the bot process); the token is not needed.
    const trading = await setupTrading({
      config,
      db,
      logger,
      clock,
      telegram: { token: env.TELEGRAM_BOT_TOKEN?.reveal() ?? 'worker:no-telegram' },
      hooks: services.hooks,
      ...(opts.online === false ? { online: false } : {}),
    });
    stops.push(() => trading.exchange.close());
    await services.start(trading);
    stops.push(() => trading.stop());
    logger.info({ mode: env.TRADING_MODE, database: db.kind, role: 'worker', worker: services.cluster.workerId, bots: trading.loop.size, startupMs: clock.now() - startedAt }, 'ready');
    return { db, trading, services, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
