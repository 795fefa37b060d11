import { html, type RawHtml } from '../bot/html.js';
import { confirmButtons } from '../confirm/service.js';
import type { CallbackContext, CallbackSpec, CommandContext, ReplyButton } from './types.js';

/** What a confirmed action does; `payload` is exactly what was shown and hashed. */
export interface ConfirmAction {
  action: string;
  run(ctx: CallbackContext, payload: unknown): Promise<RawHtml>;
}

/** Asks for a button confirmation of `action` with `payload`, bound to this user and chat. */
export async function askConfirmation(
  ctx: CommandContext | CallbackContext,
  action: string,
  payload: unknown,
  question: RawHtml,
  labels: { confirm?: string; cancel?: string } = {},
): Promise<void> {
  const c = await ctx.app.confirmations.create({ userId: ctx.actor.id, chatId: ctx.chatId, action, payload, ttlMs: ctx.app.confirmTtlMs });
  const secs = Math.round(ctx.app.confirmTtlMs / 1000);
  await ctx.respond.reply({
    html: html`${question}\n\n<i>This confirmation expires in ${secs} s.</i>`,
    buttons: confirmButtons(c, labels) as ReplyButton[][],
  });
}

/** The `cf:<id>:<y|n>` buttons: single-use, expiring, bound to the user and the exact action. */
export function confirmCallback(actions: readonly ConfirmAction[]): CallbackSpec {
  return {
    prefix: 'cf',
    minRole: 'owner',
    async run(ctx) {
      const result = await ctx.app.confirmations.consumeData({ data: `cf:${ctx.payload}`, userId: ctx.actor.id, chatId: ctx.chatId });
      if (!result.ok) {
        if (result.reason === 'cancelled' && ctx.message) {
          await ctx.respond.edit(ctx.message, { html: html`Cancelled. Nothing was changed.` });
          return { result: 'cancelled', toast: 'Cancelled' };
        }
        return { result: result.reason, detail: result.message, toast: result.message };
      }
      const handler = actions.find((a) => a.action === result.action);
      if (!handler) return { result: 'invalid', detail: `no handler for ${result.action}`, toast: 'This action is no longer available.' };
      if (ctx.message) await ctx.respond.edit(ctx.message, { html: html`⏳ Working on it…` });
      try {
        const text = await handler.run(ctx, result.payload);
        await ctx.app.confirmations.recordResult(result.id, 'done');
        if (ctx.message) await ctx.respond.edit(ctx.message, { html: text });
        else await ctx.respond.reply({ html: text });
        return { result: 'confirmed', detail: result.action, toast: 'Done' };
      } catch (err) {
        await ctx.app.confirmations.recordResult(result.id, `failed: ${err instanceof Error ? err.message : String(err)}`);
        if (ctx.message) await ctx.respond.edit(ctx.message, { html: html`Not done: the action failed. Nothing else was changed.` });
        throw err;
      }
    },
  };
}
