/**
 * `npm start`: the real bot. Reads the configuration once, starts the runtime, and stops cleanly on
 * SIGINT/SIGTERM (transports first, then jobs, then the database).
 */
import { ConfigError } from './config/errors.js';
import { describeConfig, loadConfig } from './config/load.js';
import { createLogger } from './lib/logger.js';
import { startRuntime } from './runtime.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const token = config.env.TELEGRAM_BOT_TOKEN;
  if (!token) {
    throw new ConfigError(
      'Invalid setting TELEGRAM_BOT_TOKEN=missing: the bot needs a token from @BotFather (TELEGRAM_BOT_TOKEN=123456789:AA...). To try it without one, run `npm run demo`.',
    );
  }
  const logger = createLogger({ level: config.env.LOG_LEVEL, secrets: [token, config.env.EXCHANGE_API_KEY, config.env.EXCHANGE_API_SECRET] });
  logger.info({ config: describeConfig(config) }, 'starting');
  const runtime = await startRuntime({
    config,
    logger,
    telegram: { token: token.reveal(), ...(config.env.TELEGRAM_API_ROOT ? { apiRoot: config.env.TELEGRAM_API_ROOT } : {}) },
  });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    runtime.stop().then(
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
  if (err instanceof ConfigError || (err instanceof Error && /DatabaseInUseError|DatabaseUrlError|MigrationError/.test(err.name))) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
