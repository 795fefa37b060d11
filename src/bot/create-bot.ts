import { performance } from 'node:perf_hooks';
import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot, BotError, type Api } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { App } from '../app/app.js';
import type { CommandRegistry } from '../commands/registry.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { authMiddleware } from './auth.js';
import type { BotContext } from './context.js';
import { dispatcher } from './dispatch.js';

export interface BotDeps {
  token: string;
  /** Bot API server address; Telegram's when absent. */
  apiRoot?: string;
  app: App;
  registry: CommandRegistry;
  logger: Logger;
  clock: Clock;
  /** Short id quoted to the user when a handler fails, to find the log line. */
  newErrorId: () => string;
  retry: { maxRetryAttempts: number; maxDelaySeconds: number };
  /** Skips getMe at init (tests). */
  botInfo?: UserFromGetMe;
  /** Called for every handler error (the demo exits non-zero when any happened). */
  onError?: (err: unknown) => void;
  /**
   * Called when an update is fully handled (the demo waits for it; benchmarks time it): the handler's
   * time in ms, and when its last Bot API call (its reply) was answered, in ms after the update arrived.
   */
  onUpdateHandled?: (updateId: number, ms: number, replyMs?: number) => void;
}

/** Builds the bot: bounded retries, per-chat ordering, auth first, then an error boundary around the commands. */
export function createBot(deps: BotDeps): Bot<BotContext> {
  const bot = new Bot<BotContext>(deps.token, {
    client: { ...(deps.apiRoot ? { apiRoot: deps.apiRoot } : {}) },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: deps.retry.maxRetryAttempts,
      maxDelaySeconds: deps.retry.maxDelaySeconds,
      // auto-retry would retry network errors forever whatever maxRetryAttempts says.
      rethrowHttpErrors: true,
    }),
  );

  const report = async (err: unknown, api: Api, chatId: number | undefined, updateId: number): Promise<void> => {
    const errorId = deps.newErrorId();
    deps.onError?.(err);
    deps.logger.error({ err, errorId, updateId, chatId }, 'update handler failed');
    if (chatId !== undefined) {
      await api
        .sendMessage(chatId, `Sorry, something went wrong (error id ${errorId}). Nothing else was changed; the details are in the log.`)
        .catch((e: unknown) => deps.logger.warn({ err: e, errorId }, 'could not send the error apology'));
    }
  };

  if (deps.onUpdateHandled) {
    const done = deps.onUpdateHandled;
    bot.use(async (ctx, next) => {
      const t0 = performance.now();
      // When the handler's last Bot API call (the last part of its reply) was answered.
      let replyMs: number | undefined;
      ctx.api.config.use(async (prev, method, payload, signal) => {
        try {
          return await prev(method, payload, signal);
        } finally {
          replyMs = performance.now() - t0;
        }
      });
      try {
        await next();
      } finally {
        done(ctx.update.update_id, performance.now() - t0, replyMs);
      }
    });
  }
  // Updates of one chat run one after another; different chats run in parallel.
  bot.use(sequentialize((ctx: BotContext) => String(ctx.chat?.id ?? ctx.from?.id ?? '')));
  bot.errorBoundary(
    (e: BotError<BotContext>) => report(e.error, e.ctx.api, e.ctx.chat?.id, e.ctx.update.update_id),
    authMiddleware(deps.app, deps.logger),
    dispatcher(deps.app, deps.registry),
  );
  bot.catch((e) => report(e.error, e.ctx.api, e.ctx.chat?.id, e.ctx.update.update_id));
  return bot;
}

/** Telegram's command menu from the registry (names lower case, descriptions 3..256 chars). */
export async function publishCommands(bot: Bot<BotContext>, registry: CommandRegistry): Promise<void> {
  await bot.api.setMyCommands(registry.commands.map((c) => ({ command: c.name, description: c.summary.slice(0, 256) })));
}
