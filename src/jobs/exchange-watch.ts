/**
 * exchange-watch (every minute, in every process that talks to the exchange): one alert when the
 * exchange has been unreachable too long, one when it answers again. Each process watches its own
 * calls (src/trading/exchange-health.ts); the outage itself is one row in the settings table, so
 * with several processes the first to notice says "down", the first to get through again says
 * "back", and nobody says either twice. The row also survives a restart during the outage.
 */
import { z } from 'zod';
import { alertOwners } from '../alerts/index.js';
import { html } from '../bot/html.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Clock } from '../lib/clock.js';
import type { ExchangeHealth } from '../trading/exchange-health.js';
import type { JobSpec } from './scheduler.js';

export const OUTAGE_KEY = 'exchange:outage';
const outageSchema = z.object({ since: z.number(), detail: z.string() });

export interface WatchDeps {
  prisma: PrismaClient;
  health: ExchangeHealth;
  exchangeId: string;
  clock: Clock;
  wake: () => void;
}

/** What this run said: 'down', 'back' or nothing (already said by another process, or no change). */
export async function checkExchange(d: WatchDeps): Promise<'down' | 'back' | null> {
  const change = d.health.check();
  if (change?.kind === 'down') {
    const said = await d.prisma.$transaction(async (tx) => {
      const r = await tx.setting.createMany({ data: [{ key: OUTAGE_KEY, value: { since: change.since, detail: change.detail } }], skipDuplicates: true });
      if (r.count === 0) return false; // another process said it
      const text = html`🔌 <b>${d.exchangeId} unreachable</b> for ${change.minutes} min (${change.detail}). Bots keep their state; orders resting on the exchange may still fill and are picked up when it answers again.`;
      await alertOwners(tx, { kind: 'exchange_down', text, dedupeKey: `exchange:down:${change.since}` });
      return true;
    });
    if (said) d.wake();
    return said ? 'down' : null;
  }
  if (!d.health.healthy()) return null;
  const said = await d.prisma.$transaction(async (tx) => {
    const row = await tx.setting.findUnique({ where: { key: OUTAGE_KEY } });
    if (!row) return false;
    // The delete decides between processes: only the one that removed the row says "back".
    if ((await tx.setting.deleteMany({ where: { key: OUTAGE_KEY } })).count === 0) return false;
    const parsed = outageSchema.safeParse(row.value);
    const since = parsed.success ? parsed.data.since : d.clock.now();
    const minutes = Math.max(0, Math.round((d.clock.now() - since) / 60_000));
    const text = html`✅ <b>${d.exchangeId} answers again</b> after about ${minutes} min. Bots are catching up with what happened meanwhile.`;
    await alertOwners(tx, { kind: 'exchange_down', text, dedupeKey: `exchange:back:${since}` });
    return true;
  });
  if (said) d.wake();
  return said ? 'back' : null;
}

export function exchangeWatchJob(d: WatchDeps): JobSpec {
  return {
    name: 'exchange-watch',
    cron: '30 * * * * *',
    global: false,
    logLevel: 'debug',
    async run() {
      return { said: await checkExchange(d) };
    },
  };
}
