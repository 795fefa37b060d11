/**
 * command.positions.p99: bot-side latency of /positions (ms, p50 as a detail): from the update
 * reaching the bot to its reply being accepted by the Bot API server, with 50 bots, 1,000 open orders
 * and 50 chats asking at once. The round trip through the in-process fake server is a detail.
 */
import { performance } from 'node:perf_hooks';
import { parseAppConfig, parseEnv } from '../src/config/load.js';
import { startFakeTelegram } from '../src/dev/fake-telegram/index.js';
import { silentLogger } from '../src/lib/logger.js';
import { startRuntime } from '../src/runtime.js';
import type { Benchmark } from './types.js';

const BOTS = 50;
const ORDERS = 1000;
const CHATS = Number(process.env.BENCH_CHATS ?? 50);
const ROUNDS = 10;
/** The command timed (another one can be given to compare, e.g. BENCH_CMD=/help). */
const CMD = process.env.BENCH_CMD ?? '/positions';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const positions: Benchmark = {
  names: ['command.positions.p99'],
  async run() {
    const server = await startFakeTelegram();
    const handlerMs: number[] = [];
    let timing = false;
    const runtime = await startRuntime({
      config: { env: parseEnv({ DATABASE_URL: 'pglite:memory', MARKET_DATA_DIR: '../shared/data', LOG_LEVEL: 'silent' }), app: parseAppConfig('', 'bench') },
      logger: silentLogger(),
      telegram: { token: server.token, apiRoot: server.apiRoot },
      online: false,
      extraOwners: [1],
      onUpdateHandled: (_id, ms) => {
        if (timing) handlerMs.push(ms);
      },
    });
    try {
      const db = runtime.db.prisma;
      // Paused bots: listed by /positions, not run by the loop (nothing else competes for the database).
      for (let b = 1; b <= BOTS; b++) {
        await db.bot.create({ data: { strategy: 'grid', symbol: b % 2 ? 'BTC/USDT' : 'ETH/USDT', mode: 'paper', config: {}, status: 'paused', createdBy: 1n } });
      }
      await db.order.createMany({
        data: Array.from({ length: ORDERS }, (_, i) => ({
          clientOrderId: `bench-${i}`, botId: (i % BOTS) + 1, seq: i, symbol: 'BTC/USDT', side: i % 2 ? 'buy' : 'sell', type: 'limit',
          price: String(8000 + i), amount: '0.001', tag: 'grid', status: 'open',
        })),
      });
      await db.fill.createMany({
        data: Array.from({ length: BOTS * 20 }, (_, i) => ({
          exchange: 'paper:binance', symbol: 'BTC/USDT', tradeId: `t${i}`, botId: (i % BOTS) + 1, clientOrderId: `bench-${i % ORDERS}`,
          side: i % 3 ? 'buy' : 'sell', price: String(8000 + (i % 100)), amount: '0.001', cost: '8', fee: '0.000001', feeCurrency: 'BTC', feeQuote: '0.008', maker: true, at: new Date(1_583_020_800_000 + i * 60_000),
        })),
      });
      await db.user.createMany({ data: Array.from({ length: CHATS }, (_, i) => ({ telegramId: BigInt(10_000 + i), role: 'viewer' as const })) });
      const users = Array.from({ length: CHATS }, (_, i) => server.user(10_000 + i));
      // Warm up.
      users[0]!.send('/positions');
      await users[0]!.nextMessage(/Positions/, { timeoutMs: 30_000 });
      const samples: number[] = [];
      timing = true;
      await Promise.all(
        users.map(async (u) => {
          for (let r = 0; r < ROUNDS; r++) {
            const t0 = performance.now();
            u.send(CMD);
            await u.nextMessage(undefined, { timeoutMs: 30_000 });
            samples.push(performance.now() - t0);
          }
        }),
      );
      timing = false;
      return [
        {
          bench: 'command.positions.p99',
          value: Number(pct(handlerMs, 99).toFixed(2)),
          unit: 'ms',
          p50: Number(pct(handlerMs, 50).toFixed(2)),
          round_trip_p50: Number(pct(samples, 50).toFixed(2)),
          round_trip_p99: Number(pct(samples, 99).toFixed(2)),
          requests: samples.length,
          bots: BOTS,
          open_orders: ORDERS,
          chats: CHATS,
          command: CMD,
          measured: 'value/p50: bot-side handler time (update in to reply sent); round_trip_*: user message to reply through the in-process fake Bot API server',
        },
      ];
    } finally {
      await runtime.stop();
      await server.close();
    }
  },
};

export default [positions];
