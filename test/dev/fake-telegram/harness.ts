import { Bot, GrammyError } from 'grammy';
import { startFakeTelegram, type FakeTelegramOptions, type FakeTelegramServer } from '../../../src/dev/fake-telegram/index.js';

/** Cleanups registered by a test file; call `runCleanups` in afterEach. */
const cleanups: (() => Promise<void>)[] = [];

export async function runCleanups(): Promise<void> {
  while (cleanups.length) await cleanups.pop()?.();
}

export async function fakeServer(options: FakeTelegramOptions = {}): Promise<FakeTelegramServer> {
  const server = await startFakeTelegram(options);
  cleanups.push(() => server.close());
  return server;
}

export interface Harness {
  server: FakeTelegramServer;
  bot: Bot;
  /** Errors thrown by the bot's handlers. */
  errors: unknown[];
}

/** A fake server and a real grammY bot long polling it over HTTP; stopped by runCleanups. */
export async function startBot(setup: (bot: Bot) => void, options: FakeTelegramOptions = {}): Promise<Harness> {
  const server = await fakeServer(options);
  const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
  const errors: unknown[] = [];
  bot.catch((e) => {
    errors.push(e.error);
  });
  setup(bot);
  let onStart = (): void => {};
  const started = new Promise<void>((resolve) => (onStart = resolve));
  const running = bot.start({ onStart: () => onStart() });
  cleanups.push(async () => {
    if (bot.isRunning()) await bot.stop();
    await running.catch(() => {});
  });
  await Promise.race([started, running]);
  return { server, bot, errors };
}

/** The GrammyError a call rejects with (fails the test if it resolves or fails otherwise). */
export async function grammyError(call: Promise<unknown>): Promise<GrammyError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof GrammyError) return e;
    throw new Error(`expected a GrammyError, got ${String(e)}`);
  }
  throw new Error('expected the call to fail');
}

/** A tiny valid PNG header (IHDR says 640 x 480) followed by filler bytes. */
export function fakePng(totalBytes = 1000): Buffer {
  const buf = Buffer.alloc(totalBytes, 7);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(buf, 0);
  buf.write('IHDR', 12, 'ascii');
  buf.writeUInt32BE(640, 16);
  buf.writeUInt32BE(480, 20);
  return buf;
}
