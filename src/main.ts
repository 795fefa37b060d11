/**
 * `npm start [-- --role bot|worker|all]`: the real bot. Reads the configuration once, starts the
 * runtime (roles all and bot: Telegram and the app) or a worker (role worker: runs bots, no
 * Telegram), and stops cleanly on SIGINT/SIGTERM (transports first, then jobs, then the database).
 */
import { startWorker } from './cluster/worker.js';
import { parseRole, RoleError } from './cluster/roles.js';
import { ConfigError } from './config/errors.js';
import { describeConfig, loadConfig } from './config/load.js';
import { createLogger } from './lib/logger.js';
import { startRuntime } from './runtime.js';

async function main(): Promise<void> {
  const role = parseRole(process.argv.slice(2));
  const config = loadConfig();
  const token = config.env.TELEGRAM_BOT_TOKEN;
  if (!token && role !== 'worker') {
    throw new ConfigError(
      'Invalid setting TELEGRAM_BOT_TOKEN=missing: the bot needs a token from @BotFather (TELEGRAM_BOT_TOKEN=123456789:AA...). To try it without one, run `npm run demo`.',
    );
  }
  const logger = createLogger({ level: config.env.LOG_LEVEL, secrets: [token, config.env.EXCHANGE_API_KEY, config.env.EXCHANGE_API_SECRET] });
  logger.info({ role, config: describeConfig(config) }, 'starting');
  const running =
    role === 'worker'
      ? await startWorker({ config, logger })
      : await startRuntime({
          config,
          logger,
          role,
          telegram: { token: token!.reveal(), ...(config.env.TELEGRAM_API_ROOT ? { apiRoot: config.env.TELEGRAM_API_ROOT } : {}) },
        });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    running.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof RoleError || (err instanceof Error && /DatabaseInUseError|DatabaseUrlError|MigrationError/.test(err.name))) {
    console.error(err.message);
    process.exit(2);
  }
  if (err instanceof Error && /needs REDIS_URL|needs DATABASE_URL|Could not connect to Redis/.test(err.message)) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
