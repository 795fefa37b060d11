import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { webhookCallback, type Bot } from 'grammy';
import type { Logger } from '../lib/logger.js';
import type { BotContext } from './context.js';

export interface RunningBot {
  stop(): Promise<void>;
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** Long polling through @grammyjs/runner (concurrent across chats; `sequentialize` keeps each chat in order). */
export function startPolling(bot: Bot<BotContext>, logger: Logger): RunningBot {
  const handle: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } },
  });
  logger.info({ bot: bot.botInfo.username }, 'bot is polling for updates');
  return {
    async stop() {
      if (handle.isRunning()) await handle.stop();
    },
  };
}

/**
 * Webhook mode: Telegram posts updates to WEBHOOK_URL, which a reverse proxy forwards to this port.
 * A secret token derived from the bot token authenticates Telegram's requests.
 */
export async function startWebhook(
  bot: Bot<BotContext>,
  opts: { url: string; port: number; token: string },
  logger: Logger,
): Promise<RunningBot> {
  const secretToken = createHash('sha256').update(`webhook:${opts.token}`).digest('hex').slice(0, 64);
  const handle = webhookCallback(bot, 'http', { secretToken });
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'webhook request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port, resolve));
  await bot.api.setWebhook(opts.url, { secret_token: secretToken, allowed_updates: [...ALLOWED_UPDATES] });
  logger.info({ url: opts.url, port: opts.port }, 'bot is receiving updates by webhook');
  return {
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
