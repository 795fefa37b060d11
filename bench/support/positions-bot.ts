/**
 * The bot process of the command.positions benchmark (bench/commands.bench.ts), on its own event
 * loop as in production: the Bot API server and the 50 chats live in the benchmark's process.
 * Seeds 50 bots, 1,000 open orders and 1,000 fills, then answers IPC: 'time' starts recording each
 * update's timings afresh, { report: n } sends them back once n updates were handled, 'stop' shuts down.
 *
 *   fork('bench/support/positions-bot.ts', [token, apiRoot, chats], { execArgv: ['--import', 'tsx'] })
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import { parseAppConfig, parseEnv } from '../../src/config/load.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startRuntime } from '../../src/runtime.js';
import { BOTS, ORDERS, type PositionsSamples } from './positions-fixture.js';


const [token = '', apiRoot = '', chatsArg = '50'] = process.argv.slice(2);
const chats = Number(chatsArg);
const samples: PositionsSamples = { handlerMs: [], replyMs: [] };
let timing = false;
/** Only updates that arrived after timing began (the warm-up may finish later). */
let timingSince = Infinity;

const runtime = await startRuntime({
  config: { env: parseEnv({ DATABASE_URL: 'pglite:memory', MARKET_DATA_DIR: '../shared/data', LOG_LEVEL: 'silent' }), app: parseAppConfig('', 'bench') },
  logger: silentLogger(),
  telegram: { token, apiRoot },
  online: false,
  extraOwners: [1],
  onUpdateHandled: (_id, ms, replyMs) => {
    if (!timing || performance.now() - ms < timingSince) return;
    samples.handlerMs.push(ms);
    if (replyMs !== undefined) samples.replyMs.push(replyMs);
  },
});

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
await db.user.createMany({ data: Array.from({ length: chats }, (_, i) => ({ telegramId: BigInt(10_000 + i), role: 'viewer' as const })) });

/** BENCH_PROFILE=file: a CPU profile of the first timed part only (open it in Chrome DevTools). */
const profiler = (() => {
  const file = process.env.BENCH_PROFILE;
  let session = file ? new Session() : null;
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => session!.post(method, (err, r) => (err ? reject(err) : resolve(r))));
  return {
    async start(): Promise<void> {
      if (!session) return;
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    async stop(): Promise<void> {
      if (!session) return;
      const r = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file!, JSON.stringify(r.profile));
      session.disconnect();
      session = null;
    },
  };
})();

process.on('message', (m: unknown) => {
  if (m === 'time') {
    timing = true;
    timingSince = performance.now();
    samples.handlerMs = [];
    samples.replyMs = [];
    void profiler.start().then(() => process.send?.('timing'));
  } else if (typeof m === 'object' && m !== null && 'report' in m) {
    // Handlers finish (their audit rows) a moment after their replies arrived: wait for all of them.
    const expected = Number((m as { report: number }).report);
    const deadline = Date.now() + 30_000;
    const poll = (): void => {
      if (samples.handlerMs.length >= expected || Date.now() > deadline) {
        timing = false;
        void profiler.stop().then(() => process.send?.({ ...samples }));
      } else setTimeout(poll, 20);
    };
    poll();
  } else if (m === 'stop') {
    void runtime.stop().finally(() => process.exit(0));
  }
});
process.send?.('ready');
