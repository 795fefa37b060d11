/** /stop_all: the emergency stop, with a confirmation, then an optional second one to sell everything. */
import { z } from 'zod';
import type { StopAllReport } from '../app/bots/service.js';
import { html, joinHtml, type RawHtml } from '../bot/html.js';
import { askConfirmation, type ConfirmAction } from './confirm.js';
import type { CommandSpec } from './types.js';

export const stopAllCommand: CommandSpec = {
  name: 'stop_all',
  summary: 'Emergency stop: no bot opens anything, every open order is cancelled (asks first)',
  example: '/stop_all',
  minRole: 'owner',
  async run(ctx) {
    const bots = await ctx.app.bots.list();
    await askConfirmation(
      ctx,
      'stop_all',
      { bots: bots.map((b) => b.id) },
      html`🚨 <b>Stop everything?</b>\nAll ${bots.length} bot(s) stop opening positions and every open order is cancelled. Holdings are kept (you can sell them after). Trading stays halted, even after a restart, until /resume all.`,
      { confirm: '✅ Confirm: stop all' },
    );
    return { result: 'asked' };
  },
};

function reportHtml(title: string, r: StopAllReport, sold: boolean): RawHtml {
  const lines = r.perBot.map((b) => html`${b.label}: ${b.cancelled} order(s) cancelled${sold ? `, ${b.sold} sell order(s) sent` : ''}${b.note ? ` (${b.note})` : ''}`);
  return joinHtml([html`<b>${title}</b>`, ...(lines.length ? lines : [html`No bots were running.`])]);
}

export const stopAllAction: ConfirmAction = {
  action: 'stop_all',
  async run(ctx, payload) {
    z.object({ bots: z.array(z.number()) }).parse(payload);
    const r = await ctx.app.bots.stopAll(false);
    await askConfirmation(
      ctx,
      'flatten_all',
      { bots: r.perBot.map((b) => b.id) },
      html`Also <b>sell every bot's holdings</b> to the quote currency at market price? This cannot be undone.`,
      { confirm: '✅ Confirm: sell all', cancel: 'Keep holdings' },
    );
    return joinHtml([reportHtml('🛑 Everything stopped', r, false), html`Trading is halted until /resume all.`]);
  },
};

export const flattenAllAction: ConfirmAction = {
  action: 'flatten_all',
  async run(ctx, payload) {
    z.object({ bots: z.array(z.number()) }).parse(payload);
    const r = await ctx.app.bots.stopAll(true);
    return joinHtml([reportHtml('💱 Holdings sold', r, true), html`Trading is halted until /resume all. Check /positions once the sells have filled.`]);
  },
};
