/**
 * The daily summary: at `hour` o'clock in `timeZone`, one alert per owner with the day's profit,
 * fills, bots and open orders. The dedupe key (the local date) makes it once a day whatever happens:
 * a restart, a second process, a retried job.
 */
import { alertOwners } from '../alerts/index.js';
import type { ReportService } from '../app/reports.js';
import { html } from '../bot/html.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Clock } from '../lib/clock.js';
import { BotRepository } from '../store/bots.js';
import type { JobSpec } from './scheduler.js';

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

export async function sendDailySummary(d: { prisma: PrismaClient; reports: ReportService; clock: Clock; timeZone: string; wake: () => void }): Promise<boolean> {
  const now = d.clock.now();
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: d.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const [pnl, bots, orders] = await Promise.all([d.reports.pnl('today'), new BotRepository(d.prisma).list(), d.reports.orders()]);
  const text = html`📊 <b>Daily summary ${day}</b>
Realised today: ${signed(pnl.realised)} (fees ${pnl.fees.toFixed(4)}, ${pnl.fills} fills)
Unrealised now: ${signed(pnl.unrealisedNow)}
Bots: ${bots.length} · open orders: ${orders.length}${pnl.perBot.length ? '\n' : ''}${pnl.perBot.map((b) => `#${b.bot.id} ${b.bot.strategy} ${b.bot.symbol}: ${signed(b.realised)}`).join('\n')}`;
  const r = await d.prisma.$transaction((tx) => alertOwners(tx, { kind: 'daily_summary', text, silent: true, dedupeKey: `daily:${day}`, at: new Date(now) }));
  if (r.queued.length > 0) d.wake();
  return r.queued.length > 0;
}

/** The daily summary as a scheduled job: once per fire across processes, in the owner's time zone. */
export function dailySummaryJob(d: { prisma: PrismaClient; reports: ReportService; clock: Clock; timeZone: string; hour: number; wake: () => void }): JobSpec {
  return {
    name: 'daily-summary',
    cron: `0 0 ${d.hour} * * *`,
    timezone: d.timeZone,
    global: true,
    async run() {
      return { queued: await sendDailySummary(d) };
    },
  };
}
