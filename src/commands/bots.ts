/** /start_bot, /stop_bot, /pause, /resume, /bots, /bot: bots as the owner runs them. */
import { z } from 'zod';
import type { StartPlan } from '../app/bots/service.js';
import { parseArgs, parseBotId } from '../app/bots/args.js';
import { UserInputError } from '../app/errors.js';
import { html, joinHtml, type RawHtml } from '../bot/html.js';
import type { BotRecord } from '../store/bots.js';
import { askConfirmation, type ConfirmAction } from './confirm.js';
import { formatDuration } from './format.js';
import type { CallbackSpec, CommandSpec } from './types.js';

const START_USAGE = 'Usage: /start_bot <strategy> <symbol> [preset] [key=value ...], e.g. /start_bot grid BTC/USDT lines=30';

export const startBotCommand: CommandSpec = {
  name: 'start_bot',
  summary: 'Plan a bot and start it after you confirm (paper unless live mode is on)',
  example: '/start_bot grid BTC/USDT',
  minRole: 'owner',
  async run(ctx) {
    const { words, pairs } = parseArgs(ctx.args);
    const presetPair = pairs.preset;
    delete pairs.preset;
    const [strategy, symbol, preset, ...extra] = words;
    if (!strategy || !symbol) throw new UserInputError(START_USAGE);
    if (extra.length > 0) throw new UserInputError(`Unexpected "${extra[0]}". ${START_USAGE}`);
    const plan = await ctx.app.bots.planStart(strategy, symbol, presetPair ?? preset, pairs);
    await askConfirmation(
      ctx,
      'start_bot',
      plan,
      html`<b>Start ${plan.strategy} on ${plan.symbol}?</b>${plan.preset ? ` (preset ${plan.preset})` : ''}\n${plan.summary.map((l) => `• ${l}`).join('\n')}`,
      { confirm: plan.mode === 'live' ? '✅ Confirm: LIVE' : '✅ Confirm' },
    );
    return { result: 'asked', detail: `${plan.strategy} ${plan.symbol}` };
  },
};

const planSchema = z.object({
  strategy: z.string(),
  symbol: z.string(),
  preset: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  mode: z.enum(['paper', 'live']),
  price: z.number(),
  summary: z.array(z.string()),
});

export const startBotAction: ConfirmAction = {
  action: 'start_bot',
  async run(ctx, payload) {
    const plan = planSchema.parse(payload) as StartPlan;
    const bot = await ctx.app.bots.start(ctx.actor, plan);
    return html`✅ Bot <b>#${bot.id}</b> started: ${plan.strategy} ${plan.symbol} (${plan.mode}).\nWatch it with /bot ${bot.id}; stop it with /stop_bot ${bot.id}.`;
  },
};

export const stopBotCommand: CommandSpec = {
  name: 'stop_bot',
  summary: 'Stop a bot; its open orders are cancelled unless you add keep',
  example: '/stop_bot 3 cancel',
  minRole: 'owner',
  async run(ctx) {
    const { words } = parseArgs(ctx.args);
    const usage = 'Usage: /stop_bot <id> [cancel|keep]';
    const id = parseBotId(words[0], usage);
    const how = (words[1] ?? 'cancel').toLowerCase();
    if (how !== 'cancel' && how !== 'keep') throw new UserInputError(`"${words[1]}" is neither cancel nor keep. ${usage}`);
    const r = await ctx.app.bots.stop(id, how === 'cancel');
    await ctx.respond.reply({
      html:
        how === 'cancel'
          ? html`⏹ Bot #${id} stopped; ${r.cancelled} open order(s) cancelled.${r.keptOpen ? ` ${r.keptOpen} order(s) could not be confirmed cancelled yet: see /orders ${id}.` : ''}`
          : html`⏹ Bot #${id} stopped; its ${r.keptOpen} open order(s) stay on the exchange.`,
    });
    return { detail: `cancelled ${r.cancelled}` };
  },
};

export const pauseCommand: CommandSpec = {
  name: 'pause',
  summary: 'Pause a bot: it stops acting; resting orders stay and may fill',
  example: '/pause 3',
  minRole: 'owner',
  async run(ctx) {
    const id = parseBotId(parseArgs(ctx.args).words[0], 'Usage: /pause <id>');
    await ctx.app.bots.pause(id);
    await ctx.respond.reply({ html: html`⏸ Bot #${id} paused. Its resting orders stay on the exchange; /resume ${id} catches up with what filled meanwhile.` });
  },
};

export const resumeCommand: CommandSpec = {
  name: 'resume',
  summary: 'Resume a paused or halted bot, or everything after /stop_all',
  example: '/resume 3',
  minRole: 'owner',
  async run(ctx) {
    const word = parseArgs(ctx.args).words[0];
    if (word?.toLowerCase() === 'all') {
      const n = await ctx.app.bots.resumeAll();
      await ctx.respond.reply({ html: html`▶️ Trading resumed: ${n} bot(s) running again.` });
      return;
    }
    const id = parseBotId(word, 'Usage: /resume <id> or /resume all');
    await ctx.app.bots.resume(id);
    await ctx.respond.reply({ html: html`▶️ Bot #${id} running again.` });
  },
};

function stateOf(b: BotRecord): string {
  if (b.riskState === 'halted') return '🛑 halted';
  if (b.status === 'paused') return '⏸ paused';
  if (b.status === 'stopped') return '⏹ stopped';
  return b.riskState === 'reducing' ? '↘️ reducing' : '▶️ running';
}

const money = (v: number | null, q = ''): string => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(2)}${q ? ' ' + q : ''}`);

export const botsCommand: CommandSpec = {
  name: 'bots',
  summary: 'Your bots: state, profit and uptime',
  example: '/bots',
  minRole: 'viewer',
  async run(ctx) {
    const rows = await ctx.app.reports.positions();
    if (rows.length === 0) {
      await ctx.respond.reply({ html: html`No bots yet. Start one with /start_bot grid BTC/USDT.` });
      return;
    }
    const now = ctx.app.now();
    // Positions may be up to a second old (shared between chats); the state is read fresh.
    const fresh = new Map((await ctx.app.bots.list()).map((b) => [b.id, b]));
    const lines = rows.map((r) => {
      const bot = fresh.get(r.bot.id) ?? r.bot;
      const quote = bot.symbol.split('/')[1] ?? '';
      const total = r.position.realised + (r.unrealised ?? 0);
      return html`<b>#${bot.id}</b> ${bot.strategy} ${bot.symbol} · ${stateOf(bot)} · PnL ${money(total, quote)} · up ${formatDuration(now - bot.createdAt.getTime())}`;
    });
    await ctx.respond.reply({ html: joinHtml([html`<b>Bots</b>`, ...lines]) });
  },
};

export const botCommand: CommandSpec = {
  name: 'bot',
  summary: 'One bot in detail, with buttons to pause, stop or see its orders',
  example: '/bot 3',
  minRole: 'viewer',
  async run(ctx) {
    const id = parseBotId(parseArgs(ctx.args).words[0], 'Usage: /bot <id>');
    const bot = await ctx.app.bots.get(id);
    const pos = (await ctx.app.reports.positions()).find((p) => p.bot.id === id);
    const orders = await ctx.app.reports.orders(id);
    const [base, quote] = bot.symbol.split('/');
    const p = pos?.position;
    const lines: RawHtml[] = [
      html`<b>#${bot.id} ${bot.strategy} ${bot.symbol}</b> · ${stateOf(bot)} · ${bot.mode}`,
      html`Config: <code>${JSON.stringify(bot.config)}</code>`,
      html`Holding: ${p ? p.amount : 0} ${base} at avg ${p ? p.averageEntry.toFixed(2) : '0'} ${quote}`,
      html`Realised: ${money(p?.realised ?? 0, quote)} · unrealised: ${money(pos?.unrealised ?? null, quote)} · fees: ${(p?.feesQuote ?? 0).toFixed(4)} ${quote}`,
      html`Open orders: ${orders.length}`,
    ];
    if (bot.haltReason) lines.push(html`Halted: ${bot.haltReason}`);
    const buttons =
      ctx.actor.role === 'owner'
        ? [
            [
              bot.status === 'paused' ? { text: '▶️ Resume', data: `bot:resume:${id}` } : { text: '⏸ Pause', data: `bot:pause:${id}` },
              { text: '⏹ Stop', data: `bot:stop:${id}` },
              { text: '📋 Orders', data: `bot:orders:${id}` },
            ],
          ]
        : [];
    await ctx.respond.reply({ html: joinHtml(lines), buttons });
  },
};

/** Buttons under /bot <id>. Stop asks for a confirmation (it cancels orders). */
export const botButtons: CallbackSpec = {
  prefix: 'bot',
  minRole: 'owner',
  async run(ctx) {
    const m = /^(pause|resume|stop|orders):(\d{1,9})$/.exec(ctx.payload);
    if (!m) throw new UserInputError('This button is not valid any more.');
    const id = Number(m[2]);
    switch (m[1]) {
      case 'pause':
        await ctx.app.bots.pause(id);
        await ctx.respond.reply({ html: html`⏸ Bot #${id} paused.` });
        return { toast: 'Paused' };
      case 'resume':
        await ctx.app.bots.resume(id);
        await ctx.respond.reply({ html: html`▶️ Bot #${id} running again.` });
        return { toast: 'Resumed' };
      case 'stop':
        await ctx.app.bots.get(id);
        await askConfirmation(ctx, 'stop_bot', { id, cancel: true }, html`<b>Stop bot #${id} and cancel its open orders?</b>`);
        return { toast: 'Confirm below' };
      default: {
        const orders = await ctx.app.reports.orders(id);
        await ctx.respond.reply({ html: ordersHtml(orders) });
        return {};
      }
    }
  },
};

export const stopBotAction: ConfirmAction = {
  action: 'stop_bot',
  async run(ctx, payload) {
    const p = z.object({ id: z.number().int(), cancel: z.boolean() }).parse(payload);
    const r = await ctx.app.bots.stop(p.id, p.cancel);
    return html`⏹ Bot #${p.id} stopped; ${r.cancelled} open order(s) cancelled.`;
  },
};

export function ordersHtml(orders: readonly { botId: number; side: string; type: string; price: number | null; amount: number; filled: number; status: string; tag: string }[]): RawHtml {
  if (orders.length === 0) return html`No open orders.`;
  const lines = orders.map((o) => html`#${o.botId} ${o.side} ${o.amount} @ ${o.price ?? 'market'} · ${o.status}${o.filled > 0 ? ` (filled ${o.filled})` : ''} · ${o.tag}`);
  return joinHtml([html`<b>Open orders (${orders.length})</b>`, ...lines]);
}
