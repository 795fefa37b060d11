import type { MiddlewareFn } from 'grammy';
import type { App } from '../app/app.js';
import type { Logger } from '../lib/logger.js';
import type { BotContext } from './context.js';

export const REFUSAL =
  'Sorry, this is a private trading bot and you are not on its list of users. If you run it, add your Telegram user id to ALLOWED_USER_IDS.';

/**
 * First middleware: only known users (ALLOWED_USER_IDS or the users table) go further. Strangers get
 * one polite refusal (for commands and buttons only; plain chatter in groups is ignored), an audit
 * entry, and learn nothing about the owner's state.
 */
export function authMiddleware(app: App, logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    const role = await app.users.roleOf(from.id);
    if (role) {
      ctx.actor = { id: from.id, role, name: from.first_name };
      return next();
    }
    const text = ctx.message?.text ?? '';
    const isCommand = text.startsWith('/');
    const isCallback = ctx.callbackQuery !== undefined;
    const isPrivate = ctx.chat?.type === 'private';
    await app.audit.record({
      telegramId: from.id,
      chatId: ctx.chat?.id ?? null,
      action: isCallback ? 'callback' : isCommand ? text.split(/\s/)[0]!.slice(0, 64) : 'message',
      args: null,
      result: 'refused',
      detail: `unknown user ${from.username ? '@' + from.username : from.first_name}`,
    });
    logger.warn({ userId: from.id, chatId: ctx.chat?.id }, 'refused a user who is not on the allow-list');
    if (isCallback) {
      await ctx.answerCallbackQuery({ text: 'Not allowed.', show_alert: false });
    } else if (isCommand || isPrivate) {
      await ctx.reply(REFUSAL);
    }
  };
}
