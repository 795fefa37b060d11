/**
 * The daily summary: at `hour` o'clock in `timeZone`, one alert per owner with the day's profit,
 * fills, bots and open orders. The dedupe key (the local date) makes it once a day whatever happens:
 * a restart, a second process, a retried job.
 */
import { schedule, type RunCoordinator, type ScheduledTask } from 'node-cron';
import { alertOwners } from '../alerts/index.js';
import type { ReportService } from '../app/reports.js';
import { html } from '../bot/html.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { BotRepository } from '../store/bots.js';

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

export function scheduleDailySummary(d: {
  prisma: PrismaClient;
  reports: ReportService;
  clock: Clock;
  timeZone: string;
  hour: number;
  logger: Logger;
  wake: () => void;
  runCoordinator?: RunCoordinator;
}): ScheduledTask {
  return schedule(
    `0 ${d.hour} * * *`,
    async () => {
      const started = Date.now();
      const sent = await sendDailySummary(d).catch((err: unknown) => {
        d.logger.error({ err }, 'daily summary failed');
        return false;
      });
      d.logger.info({ job: 'daily-summary', ms: Date.now() - started, sent }, 'job done');
    },
    { name: 'daily-summary', timezone: d.timeZone, noOverlap: true, ...(d.runCoordinator ? { runCoordinator: d.runCoordinator } : {}) },
  );
}
