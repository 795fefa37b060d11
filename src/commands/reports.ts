/** /pnl, /performance, /daily. */
import { parseArgs } from '../app/bots/args.js';
import { UserInputError } from '../app/errors.js';
import { PERIODS } from '../app/reports.js';
import { html, joinHtml, type RawHtml } from '../bot/html.js';
import type { PerformanceStats } from '../trading/ledger.js';
import type { CommandSpec } from './types.js';

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

export const pnlCommand: CommandSpec = {
  name: 'pnl',
  summary: 'Realised profit for today, 7d, 30d or all, with fees and the unrealised part now',
  example: '/pnl 7d',
  minRole: 'viewer',
  async run(ctx) {
    const p = (parseArgs(ctx.args).words[0] ?? 'today').toLowerCase();
    if (!(p in PERIODS)) throw new UserInputError(`"${p}" is not a period; use today, 7d, 30d or all.`);
    const r = await ctx.app.reports.pnl(p);
    const lines: RawHtml[] = [
      html`<b>Profit, ${p}</b>`,
      html`Realised: ${signed(r.realised)} (after ${r.fees.toFixed(4)} fees, ${r.fills} fills)`,
      html`Unrealised now: ${signed(r.unrealisedNow)}`,
      ...r.perBot.map((b) => html`#${b.bot.id} ${b.bot.strategy} ${b.bot.symbol}: ${signed(b.realised)} (${b.fills} fills)`),
    ];
    await ctx.respond.reply({ html: joinHtml(lines) });
  },
};

function statsLine(name: string, s: PerformanceStats): RawHtml {
  const pf = s.profitFactor === Infinity ? '∞' : s.profitFactor.toFixed(2);
  return html`${name}: ${s.trades} closes · win ${(s.winRate * 100).toFixed(0)}% · PF ${pf} · avg win ${s.averageWin.toFixed(2)} / loss ${s.averageLoss.toFixed(2)} · net ${signed(s.net)}`;
}

export const performanceCommand: CommandSpec = {
  name: 'performance',
  summary: 'Win rate, profit factor, average win and loss, by strategy and by exit reason',
  example: '/performance',
  minRole: 'viewer',
  async run(ctx) {
    const p = await ctx.app.reports.performance();
    const lines: RawHtml[] = [html`<b>Performance</b>`, statsLine('All', p.overall)];
    const strat = Object.entries(p.byStrategy);
    if (strat.length) lines.push(html`\n<b>By strategy</b>`, ...strat.map(([k, v]) => statsLine(k, v)));
    const exits = Object.entries(p.byExit);
    if (exits.length) lines.push(html`\n<b>By exit reason</b>`, ...exits.map(([k, v]) => statsLine(k, v)));
    await ctx.respond.reply({ html: joinHtml(lines) });
  },
};

export const dailyCommand: CommandSpec = {
  name: 'daily',
  summary: "Today's summary: profit, fills, bots and open orders",
  example: '/daily',
  minRole: 'viewer',
  async run(ctx) {
    const [pnl, bots, orders] = await Promise.all([ctx.app.reports.pnl('today'), ctx.app.bots.list(), ctx.app.reports.orders()]);
    await ctx.respond.reply({
      html: joinHtml([
        html`<b>Today</b>`,
        html`Realised: ${signed(pnl.realised)} · unrealised now: ${signed(pnl.unrealisedNow)} · fees ${pnl.fees.toFixed(4)}`,
        html`Fills: ${pnl.fills} · bots: ${bots.length} · open orders: ${orders.length}`,
      ]),
    });
  },
};
