/**
 * The full-size crash test: `npx tsx scripts/crash-test.ts [--kills N] [--live] [--workers 2]
 * [--bots N] [--seed N] [--quiet]`. Defaults: 100 kills, paper, one process, 4 bots. Prints progress
 * to stderr and one JSON summary to stdout; exits 1 when an invariant broke.
 * `--workers 2` needs PostgreSQL (TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test)
 * and Redis (REDIS_URL or redis://127.0.0.1:6379), and trades on the Binance emulator.
 */
import { runCrashTest } from '../src/dev/crash-harness.js';

const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const workers = Number(value('workers') ?? 1) === 2 ? 2 : 1;
const mode = argv.includes('--live') || workers === 2 ? 'live' : 'paper';
const quiet = argv.includes('--quiet');

const summary = await runCrashTest({
  mode,
  workers,
  kills: Number(value('kills') ?? 100),
  bots: Number(value('bots') ?? 4),
  seed: Number(value('seed') ?? Date.now() % 100_000),
  ...(process.env.TEST_DATABASE_URL ? { postgresUrl: process.env.TEST_DATABASE_URL } : {}),
  ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  log: (line) => {
    if (!quiet) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  },
});
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
process.exitCode = summary.ok ? 0 : 1;
