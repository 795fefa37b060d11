/**
 * Builds the trading side of the app: the exchange (paper by default), the risk monitor, the trading
 * loop, the bot and report services, confirmations and the alert sender. The runtime calls this once.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Api } from 'grammy';
import { AlertSender, alertOwners, isAlertType, telegramSend } from '../alerts/index.js';
import { ConfirmationService } from '../confirm/service.js';
import type { Config } from '../config/load.js';
import { riskSchema } from '../engines/risk/config.js';
import { startOfLocalDay } from '../engines/risk/day.js';
import { createExchange, exchangeConfigFromEnv, type ExchangeSetup } from '../exchange/factory.js';
import { TradingLoop } from '../jobs/trading-loop.js';
import { ExchangeHealth, watchedExchange } from '../trading/exchange-health.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Database } from '../store/database.js';
import { OutboxRepository } from '../store/outbox.js';
import { DbPaperStateStore } from '../store/paper-accounts.js';
import { SettingsRepository } from '../store/settings.js';
import { findPackageRoot } from '../store/package-root.js';
import { newInstallationPrefix } from '../trading/ids.js';
import { RiskMonitor } from '../trading/risk-monitor.js';
import type { AlertSink } from '../trading/types.js';
import type { TradingHooks } from '../cluster/hooks.js';
import { z } from 'zod';
import { BotService } from './bots/service.js';
import { loadPresets } from './bots/presets.js';
import { ReportService } from './reports.js';

export interface TradingSetup {
  exchange: ExchangeSetup;
  loop: TradingLoop;
  bots: BotService;
  reports: ReportService;
  confirmations: ConfirmationService;
  sender: AlertSender;
  risk: RiskMonitor;
  /** The market's clock (data time during a replay). */
  clock: Clock;
  /** This process's view of the exchange's reachability (fed by every call through the port). */
  health: ExchangeHealth;
  /** Starts the sender and the loop unless told not to (a bot/worker role starts them through src/cluster); the jobs are src/ops/process.ts's. */
  start(parts?: { loop?: boolean; sender?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function setupTrading(opts: {
  config: Config;
  db: Database;
  logger: Logger;
  clock: Clock;
  telegram: { token: string; apiRoot?: string };
  /** Default: the exchange's public API when reachable (tests pass false). */
  online?: boolean;
  /** Multi-process and metrics hooks (src/cluster/hooks.ts); none in the one-process default. */
  hooks?: TradingHooks;
}): Promise<TradingSetup> {
  const { config, db, logger } = opts;
  const env = config.env;
  const dbPaperStore = new DbPaperStateStore(db.prisma, `paper:${env.EXCHANGE}`);
  const paperStore = opts.hooks?.paperStore ? opts.hooks.paperStore(dbPaperStore) : dbPaperStore;
  // A candle replay resumes where the paper account stopped: a restart must not rewind the market.
  const cursors = env.MARKET_DATA_DIR && env.TRADING_MODE === 'paper' ? Object.values((await dbPaperStore.load())?.cursors ?? {}) : [];
  const replayStart = cursors.length > 0 ? Math.max(...cursors) : undefined;
  const exchange = await createExchange(
    {
      ...exchangeConfigFromEnv(env),
      replaySpeed: config.app.paper.replaySpeed,
      ...(replayStart !== undefined ? { replayStart } : {}),
      ...(opts.online === false ? { online: false } : {}),
      paper: { balances: config.app.paper.balances, slippage: config.app.paper.slippage, store: paperStore },
    },
    { clock: opts.clock, random: Math.random, ...(opts.hooks?.onExchangeEvent ? { onEvent: opts.hooks.onExchangeEvent } : {}) },
  );
  if (opts.hooks?.exchange) exchange.exchange = opts.hooks.exchange(exchange.exchange);
  const clock = exchange.clock;
  // Every call to the exchange feeds its health: one alert when it is unreachable too long, one when back.
  const health = new ExchangeHealth(opts.clock, config.app.alerts.exchangeDownMinutes * 60_000);
  const port = watchedExchange(exchange.exchange, health);

  const settings = new SettingsRepository(db.prisma);
  const prefix = await settings.getOr('installation:prefix', z.string(), '');
  const idPrefix = prefix || (await settings.set('installation:prefix', z.string(), newInstallationPrefix(Math.random)));

  const defaults = {
    daily_loss: config.app.risk.dailyLossLimit,
    account_max_exposure: config.app.risk.maxExposure,
    max_drawdown: config.app.risk.maxDrawdownPct,
    time_zone: config.app.timezone,
  };
  riskSchema.parse(defaults);
  const risk = new RiskMonitor(db.prisma, defaults);

  const sender = new AlertSender({
    outbox: new OutboxRepository(db.prisma),
    // A plain Api (no auto-retry): the sender paces and retries itself.
    send: telegramSend(new Api(opts.telegram.token, opts.telegram.apiRoot ? { apiRoot: opts.telegram.apiRoot } : {})),
    clock: opts.clock,
    logger: { info: (o, m) => logger.info(o, m), warn: (o, m) => logger.warn(o, m), error: (o, m) => logger.error(o, m) },
  });
  const alerts: AlertSink = {
    async enqueue(tx, a) {
      await alertOwners(tx, { kind: isAlertType(a.kind) ? a.kind : 'bot_error', text: a.text, botId: a.botId ?? null, dedupeKey: a.dedupeKey ?? null });
    },
    wake: () => {
      sender.wake();
      opts.hooks?.onAlertsQueued?.();
    },
  };

  const loop = new TradingLoop({
    prisma: db.prisma,
    exchange: port,
    clock,
    logger,
    alerts,
    risk,
    idPrefix,
    tickSeconds: config.app.trading.tickSeconds,
    ...opts.hooks?.loop,
  });
  const presets = loadPresets(join(findPackageRoot(), 'configs', 'presets'));
  const bots = new BotService({ prisma: db.prisma, exchange: port, clock, presets, loop, risk });
  const reports = new ReportService(db.prisma, port, clock, (now) => startOfLocalDay(now, config.app.timezone));
  const confirmations = new ConfirmationService(db.prisma, { clock: opts.clock, randomBytes: (n) => randomBytes(n) });

  return {
    exchange,
    loop,
    bots,
    reports,
    confirmations,
    sender,
    risk,
    clock,
    health,
    async start(parts) {
      if (parts?.sender !== false) sender.start();
      if (parts?.loop !== false) await loop.start();
    },
    async stop() {
      await loop.stop();
      await sender.stop();
      await exchange.close();
    },
  };
}
