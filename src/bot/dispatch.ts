import { Composer } from 'grammy';
import type { App } from '../app/app.js';
import { PermissionError, UserInputError } from '../app/errors.js';
import type { Actor, Role } from '../app/types.js';
import type { CommandRegistry } from '../commands/registry.js';
import type { Outcome } from '../commands/types.js';
import type { BotContext } from './context.js';
import { html } from './html.js';
import { ChatResponder } from './responder.js';

const allowed = (actor: Actor, min: Role): boolean => min === 'viewer' || actor.role === 'owner';

const ownerOnly = (name: string): string =>
  `/${name} changes things, and you have read-only access. Ask the owner if you need it done.`;

/** Routes commands and button presses to the registry; audits each with its result. */
export function dispatcher(app: App, registry: CommandRegistry): Composer<BotContext> {
  const c = new Composer<BotContext>();

  const audit = (ctx: BotContext, action: string, args: string | null, outcome: Outcome, durable = true): Promise<void> =>
    app.audit.record(
      {
        telegramId: ctx.from?.id ?? null,
        chatId: ctx.chat?.id ?? null,
        action,
        args: args ? args.slice(0, 500) : null,
        result: outcome.result ?? 'ok',
        detail: outcome.detail ?? null,
      },
      { durable },
    );

  for (const spec of registry.commands) {
    c.command(spec.name, async (ctx) => {
      const actor = ctx.actor!;
      const args = (ctx.match ?? '').trim();
      const respond = new ChatResponder(ctx.api, ctx.chat.id);
      if (!allowed(actor, spec.minRole)) {
        await audit(ctx, `/${spec.name}`, args, { result: 'refused', detail: 'viewer' });
        await respond.reply({ html: html`${ownerOnly(spec.name)}` });
        return;
      }
      try {
        const outcome = (await spec.run({ app, actor, chatId: ctx.chat.id, args, respond })) ?? {};
        // A read-only command that went well may be audited in a batch; anything else is written now.
        await audit(ctx, `/${spec.name}`, args, outcome, spec.minRole === 'owner' || (outcome.result ?? 'ok') !== 'ok');
      } catch (err) {
        if (err instanceof UserInputError || err instanceof PermissionError) {
          await respond.reply({ html: html`⚠️ ${err.message}` });
          await audit(ctx, `/${spec.name}`, args, { result: err instanceof UserInputError ? 'invalid' : 'refused', detail: err.message });
          return;
        }
        await audit(ctx, `/${spec.name}`, args, { result: 'error', detail: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    });
  }

  c.on('callback_query:data', async (ctx) => {
    const actor = ctx.actor!;
    const data = ctx.callbackQuery.data;
    const colon = data.indexOf(':');
    const prefix = colon < 0 ? data : data.slice(0, colon);
    const spec = registry.callbacks.find((s) => s.prefix === prefix);
    const msg = ctx.callbackQuery.message;
    const chatId = msg?.chat.id ?? ctx.from.id;
    if (!spec) {
      await ctx.answerCallbackQuery({ text: 'This button is no longer valid.' });
      await audit(ctx, 'callback', data, { result: 'invalid', detail: 'unknown button' });
      return;
    }
    if (!allowed(actor, spec.minRole)) {
      await audit(ctx, `callback:${prefix}`, data, { result: 'refused', detail: 'viewer' });
      await ctx.answerCallbackQuery({ text: 'You have read-only access.' });
      return;
    }
    const respond = new ChatResponder(ctx.api, chatId);
    try {
      const outcome =
        (await spec.run({
          app,
          actor,
          chatId,
          payload: colon < 0 ? '' : data.slice(colon + 1),
          message: msg ? { chatId: msg.chat.id, messageId: msg.message_id } : null,
          respond,
        })) ?? {};
      await ctx.answerCallbackQuery(outcome.toast ? { text: outcome.toast } : {});
      await audit(ctx, `callback:${prefix}`, data, outcome);
    } catch (err) {
      if (err instanceof UserInputError || err instanceof PermissionError) {
        await ctx.answerCallbackQuery({ text: err.message.slice(0, 190), show_alert: true });
        await audit(ctx, `callback:${prefix}`, data, { result: 'invalid', detail: err.message });
        return;
      }
      await ctx.answerCallbackQuery({ text: 'Something went wrong; see the message below.' }).catch(() => undefined);
      await audit(ctx, `callback:${prefix}`, data, { result: 'error', detail: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  });

  c.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    if (text.startsWith('/')) {
      const word = text.split(/\s/)[0]!;
      await ctx.reply(`Unknown command ${word}. Send /help for the list of commands.`);
      await audit(ctx, word.slice(0, 64), null, { result: 'invalid', detail: 'unknown command' });
    } else if (ctx.chat.type === 'private') {
      await ctx.reply('I understand commands. Send /help to see them.');
    }
  });

  return c;
}
