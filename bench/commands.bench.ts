/**
 * command.positions.p99: bot-side latency of /positions (ms, p50 as a detail) with 50 bots, 1,000
 * open orders and 50 chats asking at once (10 rounds each). The bot runs in its own process (as in
 * production); the Bot API server and the chats run here.
 * - value, p50: from the update reaching the bot to its reply leaving for the Bot API: the bot's own
 *   time, including waiting behind the other 49 chats' updates;
 * - handler_*: the same until the Bot API server accepted the reply (adds the server's time);
 * - round_trip_*: a user's message to the reply arriving, through the fake server's long polling.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram } from '../src/dev/fake-telegram/index.js';
import { BOTS, ORDERS, type PositionsSamples } from './support/positions-fixture.js';
import type { Benchmark } from './types.js';

const CHATS = Number(process.env.BENCH_CHATS ?? 50);
const ROUNDS = 10;
/** The command timed (another one can be given to compare, e.g. BENCH_CMD=/help). */
const CMD = process.env.BENCH_CMD ?? '/positions';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN).toFixed(2));
};

function nextMessage(child: ReturnType<typeof fork>): Promise<unknown> {
  return once(child, 'message').then(([m]) => m as unknown);
}

const positions: Benchmark = {
  names: ['command.positions.p99'],
  async run() {
    const server = await startFakeTelegram();
    const child = fork(new URL('./support/positions-bot.ts', import.meta.url), [server.token, server.apiRoot, String(CHATS)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit');
    try {
      const ready = await Promise.race([nextMessage(child), exited.then(() => 'exited')]);
      if (ready !== 'ready') throw new Error('the bot process did not start');
      const users = Array.from({ length: CHATS }, (_, i) => server.user(10_000 + i));
      // Warm up (the first /positions folds the fills).
      users[0]!.send('/positions');
      await users[0]!.nextMessage(/Positions/, { timeoutMs: 60_000 });
      child.send('time');
      await nextMessage(child);
      const roundTrip: number[] = [];
      await Promise.all(
        users.map(async (u) => {
          for (let r = 0; r < ROUNDS; r++) {
            const t0 = performance.now();
            u.send(CMD);
            await u.nextMessage(undefined, { timeoutMs: 30_000 });
            roundTrip.push(performance.now() - t0);
          }
        }),
      );
      child.send('report');
      const s = (await nextMessage(child)) as PositionsSamples;
      return [
        {
          bench: 'command.positions.p99',
          value: pct(s.replyMs, 99),
          unit: 'ms',
          p50: pct(s.replyMs, 50),
          handler_p50: pct(s.handlerMs, 50),
          handler_p99: pct(s.handlerMs, 99),
          round_trip_p50: pct(roundTrip, 50),
          round_trip_p99: pct(roundTrip, 99),
          requests: roundTrip.length,
          replies_timed: s.replyMs.length,
          bots: BOTS,
          open_orders: ORDERS,
          chats: CHATS,
          command: CMD,
          measured:
            'value/p50: update in to reply out (bot process); handler_*: update in to reply accepted by the Bot API server; round_trip_*: user message to reply through the fake server',
        },
      ];
    } finally {
      if (child.exitCode === null) {
        child.send('stop');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await server.close();
    }
  },
};

export default [positions];
