/**
 * The composition root: config -> database -> app services -> bot -> transports. `npm start`
 * (src/main.ts) and `npm run demo` (src/dev/demo.ts) both start the app through here, so the demo
 * runs exactly the code a trader runs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Bot } from 'grammy';
import type { App } from './app/app.js';
import { StatusService } from './app/status.js';
import { auditTrail, userDirectory } from './app/store-adapters.js';
import type { BotContext } from './bot/context.js';
import { createBot, publishCommands } from './bot/create-bot.js';
import { startPolling, startWebhook, type RunningBot } from './bot/launch.js';
import { buildRegistry, tradingCallbacks, tradingCommands } from './commands/registry.js';
import { setupTrading } from './app/trading-setup.js';
import { SettingsService } from './app/settings-service.js';
import { BacktestService } from './backtest/service.js';
import { loadPresets } from './app/bots/presets.js';
import { join } from 'node:path';
import { BotRepository } from './store/bots.js';
import type { CallbackSpec, CommandSpec } from './commands/types.js';
import type { Config } from './config/load.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { findPackageRoot } from './store/package-root.js';
import type { Role } from './cluster/roles.js';
import { prepareProcess, type ProcessOptions, type ProcessServices } from './ops/process.js';
import { AuditLogRepository, openDatabase, UserRepository, type Database } from './store/index.js';

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Bot token and API root; the demo passes the fake server's. */
  telegram: { token: string; apiRoot?: string };
  /** Extra owner ids beyond ALLOWED_USER_IDS (the demo's user). */
  extraOwners?: number[];
  onBotError?: (err: unknown) => void;
  onUpdateHandled?: (updateId: number, ms: number, replyMs?: number) => void;
  /** Whether the paper exchange may use the exchange's public API (default: when reachable). */
  online?: boolean;
  /** Commands and buttons beyond the built-in ones (tests, plugins). */
  extend?: { commands?: CommandSpec[]; callbacks?: CallbackSpec[] };
  /** `all` (default: everything) or `bot` (Telegram and the app; workers run the bots; needs REDIS_URL). See src/cluster. */
  role?: Extract<Role, 'all' | 'bot'>;
  /** Cluster settings beyond the environment (lease length, Redis key prefix). */
  cluster?: ProcessOptions['cluster'];
}

export interface Runtime {
  app: App;
  db: Database;
  bot: Bot<BotContext>;
  /** Cluster membership, metrics, scheduled jobs (add global jobs to `services.jobs`). */
  services: ProcessServices;
  /** Stops the transports, then the database. Safe to call twice. */
  stop(): Promise<void>;
}

export function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(`${findPackageRoot()}/package.json`, 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Reopens a running bot's runner so a changed config takes effect (the recovery path). */
function reloadBot(db: Database, loop: { sync(): Promise<void> }): (botId: number) => Promise<void> {
  return async (botId) => {
    const bots = new BotRepository(db.prisma);
    const bot = await bots.get(botId);
    if (!bot || bot.status !== 'running') return;
    await bots.setStatus(botId, 'paused');
    await loop.sync();
    await bots.setStatus(botId, 'running');
    await loop.sync();
  };
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const startedAt = clock.now();
  const env = config.env;

  const db = await openDatabase(env.DATABASE_URL, { logger });
  const stops: (() => Promise<void>)[] = [() => db.close()];
  const stop = async (): Promise<void> => {
    while (stops.length > 0) {
      const s = stops.pop()!;
      await s().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
    }
  };

  try {
    const users = new UserRepository(db.prisma);
    const owners = [...env.ALLOWED_USER_IDS, ...(opts.extraOwners ?? [])];
    const sync = await users.syncOwners(owners);
    if (owners.length === 0) {
      logger.warn('No user may use the bot: set ALLOWED_USER_IDS to your Telegram user id (e.g. ALLOWED_USER_IDS=12345678) and restart.');
    } else if (sync.revoked.length > 0) {
      logger.info({ revoked: sync.revoked }, 'owners no longer in ALLOWED_USER_IDS were removed');
    }

    const services = await prepareProcess({ config, db, logger, clock, role: opts.role ?? 'all', ...(opts.cluster ? { cluster: opts.cluster } : {}) });
    stops.push(() => services.stop());
    const trading = await setupTrading({ config, db, logger, clock, telegram: opts.telegram, hooks: services.hooks, ...(opts.online === false ? { online: false } : {}) });
    stops.push(() => trading.exchange.close());
    const userDir = userDirectory(users, () => clock.now());
    const audit = auditTrail(new AuditLogRepository(db.prisma), { onError: (err) => logger.error({ err }, 'audit write failed') });
    stops.push(() => audit.flush());
    const app: App = {
      users: userDir,
      audit,
      bots: trading.bots,
      reports: trading.reports,
      settings: new SettingsService(db.prisma, trading.risk, trading.exchange.exchange, reloadBot(db, trading.loop), Boolean(env.EXCHANGE_API_KEY && env.EXCHANGE_API_SECRET)),
      confirmations: trading.confirmations,
      confirmTtlMs: config.app.telegram.confirmationSeconds * 1000,
      balance: () => trading.exchange.exchange.fetchBalance(),
      mode: env.TRADING_MODE,
      now: () => trading.clock.now(),
      status: new StatusService({
        version: appVersion(),
        startedAt,
        clock,
        mode: env.TRADING_MODE,
        database: db.kind,
        exchange: env.EXCHANGE,
        marketData: trading.exchange.description,
        users: userDir,
        audit,
        botCounts: () => new BotRepository(db.prisma).counts(),
      }),
    };

    const setup = trading.exchange;
    const backtest = new BacktestService({
      clock,
      marketDataDir: env.MARKET_DATA_DIR ?? null,
      candles: { id: env.EXCHANGE, kind: setup.marketData?.kind ?? 'live', fetchCandles: (s, tf, a, b) => setup.exchange.fetchCandles(s, tf, a, b) },
      prisma: db.prisma,
      presets: loadPresets(join(findPackageRoot(), 'configs', 'presets')),
      markets: () => setup.exchange.loadMarkets(),
      maxOptimizeRuns: config.app.backtest.maxOptimizeRuns,
      sim: { slippage: config.app.paper.slippage },
    });
    stops.push(async () => {
      await backtest.whenIdle();
      await backtest.close();
    });
    app.backtest = backtest;

    const registry = buildRegistry({
      commands: [...tradingCommands, ...(opts.extend?.commands ?? [])],
      callbacks: [...tradingCallbacks, ...(opts.extend?.callbacks ?? [])],
    });
    const bot = createBot({
      token: opts.telegram.token,
      ...(opts.telegram.apiRoot ? { apiRoot: opts.telegram.apiRoot } : {}),
      app,
      registry,
      logger,
      clock,
      newErrorId: () => randomBytes(4).toString('hex'),
      retry: { maxRetryAttempts: config.app.telegram.maxRetryAttempts, maxDelaySeconds: config.app.telegram.maxRetryDelaySeconds },
      ...(opts.onBotError ? { onError: opts.onBotError } : {}),
      ...(opts.onUpdateHandled ? { onUpdateHandled: opts.onUpdateHandled } : {}),
    });
    await bot.init();
    await publishCommands(bot, registry);

    let transport: RunningBot;
    if (env.WEBHOOK_URL && env.WEBHOOK_PORT !== undefined) {
      transport = await startWebhook(bot, { url: env.WEBHOOK_URL, port: env.WEBHOOK_PORT, token: opts.telegram.token }, logger);
    } else {
      await bot.api.deleteWebhook();
      transport = startPolling(bot, logger);
    }
    stops.push(() => transport.stop());
    // The loop, the sender, the jobs and /health + /metrics, by role (src/ops/process.ts).
    await services.start(trading);
    stops.push(() => trading.stop());

    logger.info({ mode: env.TRADING_MODE, database: db.kind, exchange: env.EXCHANGE, role: services.cluster.role, startupMs: clock.now() - startedAt }, 'ready');
    return { app, db, bot, services, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
