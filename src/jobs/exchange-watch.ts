/** Every minute: an alert when the exchange has been unreachable too long, and one when it is back. */
import { schedule, type ScheduledTask } from 'node-cron';
import { alertOwners } from '../alerts/index.js';
import { html } from '../bot/html.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../lib/logger.js';
import type { ExchangeHealth } from '../trading/exchange-health.js';

export async function checkExchange(d: { prisma: PrismaClient; health: ExchangeHealth; exchangeId: string; wake: () => void }): Promise<void> {
  const c = d.health.check();
  if (!c) return;
  const text =
    c.kind === 'down'
      ? html`🔌 <b>${d.exchangeId} unreachable</b> for ${c.minutes} min (${c.detail}). Bots keep their state; orders resting on the exchange may still fill and are picked up when it answers again.`
      : html`✅ <b>${d.exchangeId} answers again</b> after about ${c.minutes} min. Bots are catching up with what happened meanwhile.`;
  await d.prisma.$transaction((tx) => alertOwners(tx, { kind: 'exchange_down', text, dedupeKey: `exchange:${c.kind}:${c.since}` }));
  d.wake();
}

export function scheduleExchangeWatch(d: { prisma: PrismaClient; health: ExchangeHealth; exchangeId: string; wake: () => void; logger: Logger }): ScheduledTask {
  return schedule(
    '30 * * * * *',
    () => checkExchange(d).catch((err: unknown) => d.logger.error({ err }, 'exchange watch failed')),
    { name: 'exchange-watch', noOverlap: true },
  );
}
