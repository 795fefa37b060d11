/** /positions, /orders, /balance, /trades: read-only views, every number from stored fills. */
import { parseArgs, parseBotId } from '../app/bots/args.js';
import { UserInputError } from '../app/errors.js';
import { html, joinHtml } from '../bot/html.js';
import { ordersHtml } from './bots.js';
import { positionsHtml } from './positions-view.js';
import type { CommandSpec } from './types.js';

const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

export const positionsCommand: CommandSpec = {
  name: 'positions',
  summary: 'Holdings per bot and per asset: amount, average entry, mark price, unrealised profit',
  example: '/positions',
  minRole: 'viewer',
  async run(ctx) {
    await ctx.respond.reply({ html: positionsHtml(await ctx.app.reports.positions()) });
  },
};

export const ordersCommand: CommandSpec = {
  name: 'orders',
  summary: 'Open orders of every bot, or of one',
  example: '/orders 3',
  minRole: 'viewer',
  async run(ctx) {
    const w = parseArgs(ctx.args).words[0];
    const id = w === undefined ? undefined : parseBotId(w, 'Usage: /orders [id]');
    await ctx.respond.reply({ html: ordersHtml(await ctx.app.reports.orders(id)) });
  },
};

export const balanceCommand: CommandSpec = {
  name: 'balance',
  summary: 'Balances of the exchange account (paper or live)',
  example: '/balance',
  minRole: 'viewer',
  async run(ctx) {
    const b = await ctx.app.balance();
    const rows = Object.entries(b).filter(([, v]) => v.total > 0);
    const lines = rows.map(([asset, v]) => html`${asset}: ${fmt(v.total, 8)} (free ${fmt(v.free, 8)}, in orders ${fmt(v.used, 8)})`);
    await ctx.respond.reply({ html: joinHtml([html`<b>Balance</b> (${ctx.app.mode === 'live' ? '🔴 live' : '🧪 paper'})`, ...(lines.length ? lines : [html`Empty.`])]) });
  },
};

export const tradesCommand: CommandSpec = {
  name: 'trades',
  summary: 'The latest fills (default 10, at most 50)',
  example: '/trades 20',
  minRole: 'viewer',
  async run(ctx) {
    const w = parseArgs(ctx.args).words[0] ?? '10';
    if (!/^\d{1,3}$/.test(w) || Number(w) < 1 || Number(w) > 50) throw new UserInputError('Give a number of trades from 1 to 50, e.g. /trades 20.');
    const fills = await ctx.app.reports.trades(Number(w));
    if (fills.length === 0) {
      await ctx.respond.reply({ html: html`No trades yet.` });
      return;
    }
    const lines = fills.map(
      (f) => html`${f.at.toISOString().slice(5, 16).replace('T', ' ')} #${f.botId} ${f.side} ${f.amount} ${f.symbol} @ ${f.price} · fee ${f.fee} ${f.feeCurrency}`,
    );
    await ctx.respond.reply({ html: joinHtml([html`<b>Latest trades</b>`, ...lines]) });
  },
};
