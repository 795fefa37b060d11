/**
 * A process for the crash tests (test/crash, scripts/crash-test.ts): starts the real runtime
 * (`--role all` or `bot`, against the Telegram API root in TELEGRAM_API_ROOT) or a worker (`--role
 * worker`) from the environment and CONFIG_FILE, creates `--bots N` grid bots if the database has
 * fewer, prints one JSON line {"event":"crash-worker-ready",...} and runs until killed. Its pino
 * log (JSON lines on stdout) carries the lease events the harness checks.
 *
 *   tsx src/dev/crash-worker.ts --role all --bots 3 [--lease-ms 3000] [--key-prefix tgt:test:]
 *        [--grid lines=10,range_pct=4,investment=300]
 */
import { loadConfig } from '../config/load.js';
import { startWorker } from '../cluster/worker.js';
import type { BotService } from '../app/bots/service.js';
import { createLogger } from '../lib/logger.js';
import { startRuntime } from '../runtime.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const role = (arg('role') ?? 'all') as 'all' | 'bot' | 'worker';
const wantBots = Number(arg('bots') ?? 0);
const leaseMs = arg('lease-ms') ? Number(arg('lease-ms')) : undefined;
const keyPrefix = arg('key-prefix');
const grid = Object.fromEntries((arg('grid') ?? 'lines=10,range_pct=4,investment=300').split(',').map((kv) => kv.split('=') as [string, string]));
const owner = Number((process.env.ALLOWED_USER_IDS ?? '1').split(',')[0]);

const config = loadConfig();
const logger = createLogger({ level: config.env.LOG_LEVEL, secrets: [config.env.TELEGRAM_BOT_TOKEN, config.env.EXCHANGE_API_KEY, config.env.EXCHANGE_API_SECRET] });
const cluster = { ...(leaseMs ? { leaseMs } : {}), ...(keyPrefix ? { keyPrefix } : {}), haltTimeoutMs: 5_000 };

async function ensureBots(bots: BotService): Promise<number> {
  let have = (await bots.list(true)).length;
  while (have < wantBots) {
    const plan = await bots.planStart('grid', 'BTC/USDT', undefined, grid);
    await bots.start({ id: owner, role: 'owner' } as Parameters<BotService['start']>[0], plan);
    have++;
  }
  return have;
}

const started = Date.now();
let stop: () => Promise<void>;
let bots: number;
if (role === 'worker') {
  const w = await startWorker({ config, logger, online: false, cluster });
  stop = () => w.stop();
  bots = await ensureBots(w.trading.bots);
} else {
  const token = config.env.TELEGRAM_BOT_TOKEN?.reveal();
  if (!token || !config.env.TELEGRAM_API_ROOT) throw new Error('crash-worker: set TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT (the harness\'s fake Bot API server)');
  const r = await startRuntime({ config, logger, role, online: false, cluster, telegram: { token, apiRoot: config.env.TELEGRAM_API_ROOT } });
  stop = () => r.stop();
  bots = await ensureBots(r.app.bots);
}
process.stdout.write(JSON.stringify({ event: 'crash-worker-ready', role, pid: process.pid, bots, ms: Date.now() - started, time: Date.now() }) + '\n');

const shutdown = (): void => {
  void stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
