/** /set, /risk, /alerts, /mode: settings from chat. Raising a limit and going live ask first. */
import { z } from 'zod';
import { ALERT_TYPES } from '../alerts/index.js';
import { parseArgs, parseBotId } from '../app/bots/args.js';
import { UserInputError } from '../app/errors.js';
import { html, joinHtml, type RawHtml } from '../bot/html.js';
import { askConfirmation, type ConfirmAction } from './confirm.js';
import type { CommandContext, CommandSpec } from './types.js';

function ownerOnly(ctx: CommandContext, what: string): void {
  if (ctx.actor.role !== 'owner') throw new UserInputError(`Only the owner can change ${what}; you have read-only access.`);
}

export const setCommand: CommandSpec = {
  name: 'set',
  summary: "Change a running bot's settings (validated; the reply says what they apply to)",
  example: '/set 3 stop_loss=42000',
  minRole: 'owner',
  async run(ctx) {
    const { words, pairs } = parseArgs(ctx.args);
    const id = parseBotId(words[0], 'Usage: /set <id> key=value ...');
    const s = ctx.app.settings;
    const change = await s.planConfig(await s.bot(id), pairs);
    await s.applyConfig(change);
    await ctx.respond.reply({ html: html`⚙️ Bot #${id}: ${change.changed.map((k) => `${k}=${String(change.config[k])}`).join(', ')}.\n${change.effect}` });
    return { detail: change.changed.join(',') };
  },
};

function riskHtml(limits: Record<string, unknown>, state: { state: string; reason: string }): RawHtml {
  const keys = ['daily_loss', 'max_drawdown', 'account_max_exposure', 'max_exposure', 'max_position', 'sl_streak', 'sl_cooldown', 'on_halt', 'time_zone'];
  const lines = keys.map((k) => html`${k}: ${limits[k] === undefined ? 'off' : k === 'sl_cooldown' ? `${Number(limits[k]) / 3_600_000} h` : String(limits[k])}`);
  return joinHtml([html`<b>Risk</b> · state ${state.state}${state.reason ? ` (${state.reason})` : ''}`, ...lines, html`\nChange: /risk daily_loss=300 max_drawdown=20 (off removes a limit; raising one asks first)`]);
}

export const riskCommand: CommandSpec = {
  name: 'risk',
  summary: 'Show or set the daily loss limit, max exposure and max drawdown',
  example: '/risk daily_loss=300',
  minRole: 'viewer',
  async run(ctx) {
    const { words, pairs } = parseArgs(ctx.args);
    if (words.length > 0) throw new UserInputError(`Write limits as key=value, e.g. /risk daily_loss=300 (not "${words[0]}").`);
    const s = ctx.app.settings;
    if (Object.keys(pairs).length === 0) {
      const [limits, state] = await s.riskView();
      await ctx.respond.reply({ html: riskHtml(limits, state) });
      return;
    }
    ownerOnly(ctx, 'risk limits');
    const change = await s.planRisk(pairs);
    if (change.raised.length > 0) {
      await askConfirmation(ctx, 'risk_raise', change.overrides, html`<b>Allow more risk?</b> ${change.raised.map((k) => `${k}=${pairs[k]}`).join(', ')} raises or removes a limit.`, { confirm: '✅ Confirm: raise limits' });
      return { result: 'asked' };
    }
    await s.applyRisk(change);
    await ctx.respond.reply({ html: html`✅ Risk limits updated: ${change.changed.map((k) => `${k}=${pairs[k]}`).join(', ')}.` });
  },
};

export const riskRaiseAction: ConfirmAction = {
  action: 'risk_raise',
  async run(ctx, payload) {
    const overrides = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).parse(payload);
    // Validate again: the limits the owner confirmed must still parse with today's defaults.
    const change = await ctx.app.settings.planRisk(Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)])));
    await ctx.app.settings.applyRisk(change);
    const [limits, state] = await ctx.app.settings.riskView();
    return riskHtml(limits, state);
  },
};

export const alertsCommand: CommandSpec = {
  name: 'alerts',
  summary: 'Show or set each alert type: on, silent or off',
  example: '/alerts fill=silent grid_cycle=off',
  minRole: 'viewer',
  async run(ctx) {
    const { words, pairs } = parseArgs(ctx.args);
    if (words.length > 0) throw new UserInputError(`Write alert settings as type=mode, e.g. /alerts fill=silent (not "${words[0]}").`);
    const s = ctx.app.settings;
    const prefs = Object.keys(pairs).length ? await s.setAlerts(ctx.actor.id, pairs) : await s.alerts(ctx.actor.id);
    const icon: Record<string, string> = { on: '🔔', silent: '🔕', off: '✖️' };
    const lines = ALERT_TYPES.map((t) => html`${icon[prefs[t.type]] ?? ''} ${t.type}: ${prefs[t.type]}`);
    await ctx.respond.reply({ html: joinHtml([html`<b>Alerts</b>${Object.keys(pairs).length ? ' (updated)' : ''}`, ...lines, html`\nChange: /alerts fill=silent all=on`]) });
  },
};

export const modeCommand: CommandSpec = {
  name: 'mode',
  summary: 'Show paper or live mode; /mode live arms live trading (keys and a confirmation needed)',
  example: '/mode',
  minRole: 'viewer',
  async run(ctx) {
    const want = parseArgs(ctx.args).words[0]?.toLowerCase();
    const now = ctx.app.mode;
    const stored = await ctx.app.settings.storedMode();
    if (!want) {
      await ctx.respond.reply({
        html: html`Mode: ${now === 'live' ? '🔴 LIVE' : '🧪 paper'}${stored && stored !== now ? ` (next start: ${stored})` : ''}.\nLive keys ${ctx.app.settings.liveKeysConfigured ? 'are' : 'are not'} configured. /mode live or /mode paper changes it.`,
      });
      return;
    }
    if (want !== 'live' && want !== 'paper') throw new UserInputError(`"${want}" is not a mode; use /mode paper or /mode live.`);
    ownerOnly(ctx, 'the mode');
    if (want === 'live') {
      if (!ctx.app.settings.liveKeysConfigured) throw new UserInputError('Live trading needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment; set them and restart first.');
      await askConfirmation(ctx, 'mode_live', { mode: 'live' }, html`🔴 <b>Switch to LIVE trading?</b> From the next start, new bots trade real money. Paper bots are not moved to live: they stay paused while live mode is on.`, { confirm: '✅ Confirm: go LIVE' });
      return { result: 'asked' };
    }
    await ctx.app.settings.setMode('paper');
    await ctx.respond.reply({ html: html`🧪 Paper mode from the next start.${now === 'live' ? ' Live bots keep their orders on the exchange until you stop them.' : ''}` });
  },
};

export const modeLiveAction: ConfirmAction = {
  action: 'mode_live',
  async run(ctx, payload) {
    z.object({ mode: z.literal('live') }).parse(payload);
    await ctx.app.settings.setMode('live');
    return html`🔴 Live mode armed: it takes effect when the bot process restarts. /mode shows the state.`;
  },
};
