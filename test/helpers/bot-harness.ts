import pino from 'pino';
import { parseAppConfig, parseEnv, type Config } from '../../src/config/load.js';
import type { CallbackSpec, CommandSpec } from '../../src/commands/types.js';
import { createLogger, silentLogger } from '../../src/lib/logger.js';
import type { Clock } from '../../src/lib/clock.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startFakeTelegram, type FakeTelegramServer } from '../../src/dev/fake-telegram/index.js';

export const OWNER_ID = 1001;

export interface Harness {
  server: FakeTelegramServer;
  runtime: Runtime;
  errors: unknown[];
  close(): Promise<void>;
}

/** The real runtime (database, app, bot, polling) against a fresh fake Bot API server. */
export async function startHarness(opts: {
  env?: Record<string, string>;
  yaml?: string;
  clock?: Clock;
  extend?: { commands?: CommandSpec[]; callbacks?: CallbackSpec[] };
} = {}): Promise<Harness> {
  const config: Config = {
    env: parseEnv({ DATABASE_URL: 'pglite:memory', ALLOWED_USER_IDS: String(OWNER_ID), LOG_LEVEL: 'silent', ...opts.env }),
    app: parseAppConfig(opts.yaml ?? 'telegram:\n  maxRetryAttempts: 3\n  maxRetryDelaySeconds: 2\n', 'test.yaml'),
  };
  const server = await startFakeTelegram({ ...(opts.clock ? { clock: opts.clock } : {}) });
  const errors: unknown[] = [];
  try {
    const runtime = await startRuntime({
      config,
      // HARNESS_LOG=debug (or another level; HARNESS_LOG_FILE=path) shows the runtime's log when a test needs explaining.
      logger: process.env.HARNESS_LOG ? createLogger({ level: process.env.HARNESS_LOG as 'debug', destination: pino.destination({ dest: process.env.HARNESS_LOG_FILE ?? 2, sync: true }) }) : silentLogger(),
      ...(opts.clock ? { clock: opts.clock } : {}),
      telegram: { token: server.token, apiRoot: server.apiRoot },
      online: false,
      onBotError: (e) => errors.push(e),
      ...(opts.extend ? { extend: opts.extend } : {}),
    });
    return {
      server,
      runtime,
      errors,
      async close() {
        await runtime.stop();
        await server.close();
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}
