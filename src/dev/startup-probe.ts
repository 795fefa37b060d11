/**
 * Used by the start-up benchmark: starts the real runtime against an in-process fake Bot API server,
 * prints one JSON line {readyMs, rssMb} (time from process start to "ready", RSS after an idle
 * second), and exits. DATABASE_URL picks the database as usual.
 */
import { performance } from 'node:perf_hooks';
import { parseAppConfig, parseEnv } from '../config/load.js';
import { silentLogger } from '../lib/logger.js';
import { startRuntime } from '../runtime.js';
import { startFakeTelegram } from './fake-telegram/index.js';

const server = await startFakeTelegram();
const runtime = await startRuntime({
  config: { env: parseEnv({ ...process.env, TELEGRAM_BOT_TOKEN: undefined, LOG_LEVEL: 'silent' }), app: parseAppConfig('', 'probe') },
  logger: silentLogger(),
  telegram: { token: server.token, apiRoot: server.apiRoot },
  extraOwners: [1],
});
const readyMs = performance.now();
await new Promise((r) => setTimeout(r, 1500));
global.gc?.();
const rssMb = process.memoryUsage().rss / 1024 / 1024;
await runtime.stop();
await server.close();
process.stdout.write(JSON.stringify({ readyMs: Math.round(readyMs), rssMb: Math.round(rssMb) }) + '\n');
process.exit(0);
