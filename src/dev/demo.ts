/**
 * `npm run demo`: an in-process fake Telegram Bot API server, the real bot against it (the same
 * start-up as `npm start`), and a terminal chat. `npm run demo -- --script FILE` reads the lines from
 * FILE, prints the transcript to stdout and exits 0 (1 if the bot hit an error).
 *
 * Script lines: a message to send, `click <text>`, `wait <seconds>`, `# comment`.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../lib/logger.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { startFakeTelegram, type FakeTelegramServer, type FakeUser } from './fake-telegram/index.js';
import { formatEvent, formatUserLine } from './transcript.js';

const DEMO_USER_ID = 1001;
const DEMO_DATABASE_URL = 'pglite:./data/demo';

interface DemoArgs {
  script?: string;
}

function parseArgs(argv: string[]): DemoArgs {
  const args: DemoArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--script') {
      const file = argv[++i];
      if (!file) throw new ConfigError('--script needs a file name, e.g. npm run demo -- --script demo.txt');
      args.script = file;
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run demo [-- --script FILE]');
      process.exit(0);
    } else {
      throw new ConfigError(`Unknown demo option ${a}; use --script FILE or nothing.`);
    }
  }
  return args;
}

/** Waits until every update the user caused has been handled by the bot, then lets output settle. */
class IdleTracker {
  private sent = 0;
  private handled = 0;
  private waiters: (() => void)[] = [];
  markSent(): void {
    this.sent++;
  }
  markHandled(): void {
    this.handled++;
    if (this.handled >= this.sent) for (const w of this.waiters.splice(0)) w();
  }
  async idle(timeoutMs = 60_000): Promise<void> {
    if (this.handled < this.sent) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`the bot did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    // Let the last API calls land in the transcript.
    await new Promise((r) => setTimeout(r, 30));
  }
}

async function runLine(line: string, user: FakeUser, idle: IdleTracker, print: (s: string) => void, whenIdle: () => Promise<void>): Promise<boolean> {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return true;
  const wait = /^wait\s+(\d+(?:\.\d+)?)$/i.exec(text);
  if (wait) {
    await new Promise((r) => setTimeout(r, Number(wait[1]) * 1000));
    return true;
  }
  const click = /^click\s+(.+)$/i.exec(text);
  print(formatUserLine(click ? `(click) ${click[1]!}` : text));
  try {
    idle.markSent();
    if (click) user.press(click[1]!.trim());
    else user.send(text);
  } catch (err) {
    idle.markHandled(); // nothing was sent
    print(`demo> ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  await idle.idle();
  // A backtest runs off the bot's event loop: let it finish (and its messages land) before the next line.
  await whenIdle();
  await idle.idle();
  return true;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (process.env.TELEGRAM_BOT_TOKEN) {
    console.error('The demo runs against a fake Telegram server and refuses to use a real token: unset TELEGRAM_BOT_TOKEN, or run the real bot with `npm start`.');
    return 2;
  }
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL ?? DEMO_DATABASE_URL,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // The demo owns its transport; a webhook makes no sense against the in-process server.
    WEBHOOK_URL: undefined,
    WEBHOOK_PORT: undefined,
  });
  // Logs go to stderr so that stdout is the transcript alone.
  const logger = createLogger({ level: config.env.LOG_LEVEL, destination: { write: (s: string) => process.stderr.write(s) } });
  const out = (s: string): void => {
    process.stdout.write(s + '\n');
  };

  const server: FakeTelegramServer = await startFakeTelegram({ botUsername: 'tg_trader_demo_bot', botName: 'Trading Assistant (demo)' });
  const user = server.user(DEMO_USER_ID, { first_name: 'Trader', username: 'demo_trader' });
  const idle = new IdleTracker();
  let botErrors = 0;
  let runtime: Runtime | null = null;
  try {
    runtime = await startRuntime({
      config,
      logger,
      telegram: { token: server.token, apiRoot: server.apiRoot },
      extraOwners: [DEMO_USER_ID],
      onBotError: () => {
        botErrors++;
      },
      onUpdateHandled: () => idle.markHandled(),
    });
    user.onEvent((e) => {
      for (const l of formatEvent(e)) out(l);
    });
    const status = await runtime.app.status.report();
    const header = `demo> fake Telegram at ${server.apiRoot}; you are user ${DEMO_USER_ID} (owner); ${status.mode} trading on ${status.exchange}; market data: ${status.marketData}; database ${config.env.DATABASE_URL}`;

    if (args.script) {
      const lines = (await readFile(args.script, 'utf8')).split('\n');
      out(header);
      let ok = true;
      const whenIdle = async (): Promise<void> => {
        await runtime?.app.backtest?.whenIdle();
      };
      for (const line of lines) ok = (await runLine(line, user, idle, out, whenIdle)) && ok;
      const failedCalls = server.calls.filter((c) => !c.ok && !c.injected);
      for (const c of failedCalls) out(`demo> the bot's ${c.method} call failed: ${c.description ?? c.status}`);
      return botErrors > 0 || failedCalls.length > 0 || !ok ? 1 : 0;
    }

    out(header);
    out('demo> type a command (try /help), `click <button text>` to press a button, /quit or Ctrl-D to leave.');
    const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'you> ', terminal: process.stdin.isTTY });
    rl.prompt();
    for await (const line of rl) {
      if (line.trim() === '/quit' || line.trim() === '/exit') break;
      const click = /^click\s+(.+)$/i.exec(line.trim());
      try {
        if (line.trim() !== '') {
          idle.markSent();
          if (click) user.press(click[1]!.trim());
          else user.send(line.trim());
          await idle.idle();
        }
      } catch (err) {
        idle.markHandled();
        out(`demo> ${err instanceof Error ? err.message : String(err)}`);
      }
      rl.prompt();
    }
    rl.close();
    return botErrors > 0 ? 1 : 0;
  } finally {
    await runtime?.stop();
    await server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || (err instanceof Error && err.name === 'DatabaseInUseError')) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
