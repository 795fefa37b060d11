/**
 * The scheduled jobs besides the trading tick (src/jobs/trading-loop.ts):
 * - outbox-drain (in the process that runs the alert sender, every 30 s): wakes the sender in case a
 *   wake-up was lost and reports what it sent (the sender also drains on every wake-up by itself);
 * - outbox-prune (global, daily): deletes alerts delivered more than 30 days ago;
 * - state-snapshot (global, every trading.snapshotSeconds): a mark price per traded symbol, so
 *   unrealised PnL, the daily loss window and reports have prices even when no bot ticks (engine
 *   state itself is committed with every tick, write-ahead);
 * - candle-refresh (global, every 15 min): the last day of 1m candles of every traded symbol into the
 *   candle cache, so a /backtest of recent days needs no download.
 */
import type { AlertSender } from '../alerts/sender.js';
import { loadRemoteCandles } from '../backtest/remote-source.js';
import { CandleCacheStore } from '../backtest/store.js';
import type { ExchangePort } from '../exchange/types.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Clock } from '../lib/clock.js';
import { MarkRepository } from '../store/marks.js';
import { OutboxRepository } from '../store/outbox.js';
import type { JobSpec } from './scheduler.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

async function tradedSymbols(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.bot.findMany({ where: { status: { not: 'stopped' } }, select: { symbol: true }, distinct: ['symbol'] });
  return rows.map((r) => r.symbol).sort();
}

/** Wakes the local sender and reports its counters. */
export function outboxDrainJob(d: { sender: AlertSender; onStats?: (s: AlertSender['stats']) => void }): JobSpec {
  return {
    name: 'outbox-drain',
    cron: '*/30 * * * * *',
    global: false,
    logLevel: 'debug',
    run() {
      d.sender.wake();
      d.onStats?.(d.sender.stats);
      return { sent: d.sender.stats.messages, delivered: d.sender.stats.delivered, parked: d.sender.stats.parked };
    },
  };
}

export function outboxPruneJob(d: { prisma: PrismaClient; clock: Clock; keepDays?: number }): JobSpec {
  return {
    name: 'outbox-prune',
    cron: '0 17 3 * * *',
    global: true,
    async run() {
      const pruned = await new OutboxRepository(d.prisma).pruneDelivered(new Date(d.clock.now()), d.keepDays ?? 30);
      return { pruned };
    },
  };
}

export function snapshotJob(d: { prisma: PrismaClient; exchange: ExchangePort; clock: Clock; everySeconds: number }): JobSpec {
  const every = Math.max(5, Math.min(3600, d.everySeconds));
  // node-cron steps stay within their field: a minute step from 60 s on, else a second step.
  const cron = every < 60 ? `*/${every} * * * * *` : `0 */${Math.max(1, Math.min(59, Math.round(every / 60)))} * * * *`;
  return {
    name: 'state-snapshot',
    cron,
    global: true,
    logLevel: 'debug',
    async run() {
      const marks = new MarkRepository(d.prisma);
      let recorded = 0;
      for (const symbol of await tradedSymbols(d.prisma)) {
        const t = await d.exchange.fetchTicker(symbol).catch(() => null);
        if (!t || !(t.last > 0)) continue;
        await marks.record(symbol, t.last, d.clock.now());
        recorded++;
      }
      return { marks: recorded };
    },
  };
}

export function candleRefreshJob(d: { prisma: PrismaClient; exchange: ExchangePort; clock: Clock; exchangeName: string; hours?: number }): JobSpec {
  return {
    name: 'candle-refresh',
    cron: '0 */15 * * * *',
    global: true,
    async run() {
      const cache = new CandleCacheStore(d.prisma);
      const to = Math.floor(d.clock.now() / MINUTE) * MINUTE; // closed candles only
      const from = Math.floor((to - (d.hours ?? 24) * HOUR) / HOUR) * HOUR;
      let fetched = 0;
      let symbols = 0;
      for (const symbol of await tradedSymbols(d.prisma)) {
        const r = await loadRemoteCandles({ fetcher: d.exchange, cache, exchange: d.exchangeName, symbol, timeframe: '1m', from, to });
        fetched += r.fetched;
        symbols++;
      }
      return { symbols, fetched };
    },
  };
}
