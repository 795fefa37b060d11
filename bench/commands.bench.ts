/**
 * command.positions.p99: bot-side latency of /positions (ms, p50 as a detail) with 50 bots, 1,000
 * open orders and 50 chats active at once. The bot runs in its own process (as in production); the
 * Bot API server and the chats run here.
 *
 * Steady load (the value): each of the 50 chats asks again a random while (exponential, mean
 * BENCH_GAP_MS = 1 s) after its previous answer, so about 50 requests a second arrive at random
 * moments, for BENCH_SECONDS = 10 s. Burst (details burst_*): all 50 chats ask at the same moment,
 * 5 times; the last of a burst waits for the 49 before it.
 * - value, p50: from the update reaching the bot to the last part of its reply being accepted by
 *   the Bot API server, including any wait behind other chats' updates;
 * - handler_*: until the handler finished (its audit row included);
 * - round_trip_*: a user's message to the reply arriving, through the fake server's long polling.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram, type FakeUser } from '../src/dev/fake-telegram/index.js';
import { BOTS, ORDERS, type PositionsSamples } from './support/positions-fixture.js';
import type { Benchmark } from './types.js';

const CHATS = Number(process.env.BENCH_CHATS ?? 50);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BURSTS = 5;
/** The command timed (another one can be given to compare, e.g. BENCH_CMD=/help). */
const CMD = process.env.BENCH_CMD ?? '/positions';
/** The last part of the reply (BENCH_END for another command). */
const END = new RegExp(process.env.BENCH_END ?? (CMD === '/positions' ? 'Per asset' : '.'));

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN).toFixed(2));
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function nextMessage(child: ChildProcess): Promise<unknown> {
  return once(child, 'message').then(([m]) => m as unknown);
}

async function ask(u: FakeUser, roundTrip: number[]): Promise<void> {
  const t0 = performance.now();
  u.send(CMD);
  await u.nextMessage(END, { timeoutMs: 30_000 });
  roundTrip.push(performance.now() - t0);
}

/** Times what `drive` sends; returns the bot's samples and the users' round trips. */
async function timed(child: ChildProcess, drive: (roundTrip: number[]) => Promise<number>): Promise<PositionsSamples & { roundTrip: number[] }> {
  child.send('time');
  await nextMessage(child);
  const roundTrip: number[] = [];
  const sent = await drive(roundTrip);
  child.send({ report: sent });
  return { ...((await nextMessage(child)) as PositionsSamples), roundTrip };
}

const positions: Benchmark = {
  names: ['command.positions.p99'],
  async run() {
    const server = await startFakeTelegram();
    const child = fork(new URL('./support/positions-bot.ts', import.meta.url), [server.token, server.apiRoot, String(CHATS)], {
      // BENCH_PROFILE=file.cpuprofile: the bot process's CPU profile of the steady part (see positions-bot.ts).
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit');
    try {
      const ready = await Promise.race([nextMessage(child), exited.then(() => 'exited')]);
      if (ready !== 'ready') throw new Error('the bot process did not start');
      const users = Array.from({ length: CHATS }, (_, i) => server.user(10_000 + i));
      // Warm up (the first /positions folds the fills and loads the prices).
      await ask(users[0]!, []);

      let random = 12345;
      const exp = (): number => {
        random = (random * 1103515245 + 12345) % 2 ** 31;
        return -Math.log(1 - random / 2 ** 31) * GAP_MS;
      };
      const steady = await timed(child, async (roundTrip) => {
        const until = performance.now() + SECONDS * 1000;
        let sent = 0;
        await Promise.all(
          users.map(async (u) => {
            await sleep(exp());
            while (performance.now() < until) {
              sent++;
              await ask(u, roundTrip);
              await sleep(exp());
            }
          }),
        );
        return sent;
      });
      const burst = await timed(child, async (roundTrip) => {
        for (let b = 0; b < BURSTS; b++) {
          await Promise.all(users.map((u) => ask(u, roundTrip)));
          await sleep(200);
        }
        return BURSTS * CHATS;
      });
      return [
        {
          bench: 'command.positions.p99',
          value: pct(steady.replyMs, 99),
          unit: 'ms',
          p50: pct(steady.replyMs, 50),
          requests: steady.roundTrip.length,
          requests_per_second: Number((steady.roundTrip.length / SECONDS).toFixed(1)),
          handler_p50: pct(steady.handlerMs, 50),
          handler_p99: pct(steady.handlerMs, 99),
          round_trip_p50: pct(steady.roundTrip, 50),
          round_trip_p99: pct(steady.roundTrip, 99),
          burst_p50: pct(burst.replyMs, 50),
          burst_p99: pct(burst.replyMs, 99),
          burst_requests: burst.roundTrip.length,
          bots: BOTS,
          open_orders: ORDERS,
          chats: CHATS,
          command: CMD,
          measured:
            'value/p50: update in to the last part of the reply accepted by the Bot API server (bot process), 50 chats each asking about once a second at random moments; burst_*: all 50 chats at the same moment; round_trip_*: user message to reply through the fake server',
        },
      ];
    } finally {
      if (child.exitCode === null) {
        child.send('stop');
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await server.close();
    }
  },
};

export default [positions];
