/**
 * The crash test: grid bots trade on fast-forwarded real candles (paper: a candle replay inside the
 * process; live: the Binance emulator in this process, fed a candle every `candleMs`), while the
 * process running them is killed with -9 at random moments and started again, `kills` times. Then
 * the market stops, one last process settles everything, and the verdict (crash-check.ts) compares
 * the database with the exchange and with what the fake Telegram server received.
 *
 * `workers: 2` runs a bot process and two workers on PostgreSQL + Redis, killing one worker at a
 * time (the other stays up), and also checks the leases: no bot's orders come from a worker after
 * another took it over, and no running bot stays without a lease for longer than one lease period.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startFakeTelegram, type FakeTelegramServer } from './fake-telegram/index.js';
import { CrashProc, spawnCrashWorker } from './crash-procs.js';
import { checkCrashRun, type CrashCheck, type SentMessage } from './crash-check.js';
import { EMU_KEY, EMU_SECRET, emulatorView, paperView, startEmulatedMarket, type EmulatedMarket } from './crash-market.js';
import { analyseLeases, LeaseMonitor, type LeaseReport } from './crash-leases.js';
import { openDatabase } from '../store/index.js';
import { findPackageRoot } from '../store/package-root.js';

export interface CrashOptions {
  mode: 'paper' | 'live';
  workers: 1 | 2;
  kills: number;
  bots: number;
  /**
   * When a process dies: with probability `startingShare` (default 0.3) at a random time while it
   * starts (U(150 ms, its readiness)), else U(upMs) after it is ready (default [300, 3000]).
   */
  upMs?: [number, number];
  startingShare?: number;
  tickSeconds?: number;
  /** Paper: candle replay speed. Default 3600 (an hour of candles per second). */
  replaySpeed?: number;
  /** Live: wall ms per 1m candle fed to the emulator. Default 50. */
  candleMs?: number;
  /** Two workers: the lease lifetime (ms). Default 3000. */
  leaseMs?: number;
  seed?: number;
  /** Grid parameters of the bots. Default lines=12,range_pct=3,investment=500. */
  grid?: string;
  dataDir?: string;
  postgresUrl?: string;
  redisUrl?: string;
  log?: (line: string) => void;
}

export interface CrashSummary extends CrashCheck {
  mode: 'paper' | 'live';
  workers: number;
  bots: number;
  kills: number;
  killsBeforeReady: number;
  restarts: number;
  durationMs: number;
  leases?: LeaseReport;
  ok: boolean;
}

const OWNER = 1001;
const TOKEN = '7000000001:FAKE-telegram-token-crash-harness';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function configYaml(o: { tickSeconds: number; replaySpeed: number }): string {
  return [
    'trading:',
    `  tickSeconds: ${o.tickSeconds}`,
    'paper:',
    `  replaySpeed: ${o.replaySpeed}`,
    '  balances:',
    '    USDT: 100000',
    'risk:',
    '  dailyLossLimit: 1000000',
    '  maxExposure: 10000000',
    '  maxDrawdownPct: 99',
    'telegram:',
    '  maxRetryAttempts: 3',
    '  maxRetryDelaySeconds: 2',
    '',
  ].join('\n');
}

export async function runCrashTest(o: CrashOptions): Promise<CrashSummary> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const random = mulberry32(o.seed ?? 1);
  const [upMin, upMax] = o.upMs ?? [300, 3000];
  /** Waits for the moment to kill `p` (see `upMs`). */
  const killMoment = async (p: CrashProc, typicalStartMs: number): Promise<void> => {
    if (random() < (o.startingShare ?? 0.3)) {
      await Promise.race([sleep(150 + random() * typicalStartMs), p.ready(600_000).catch(() => undefined)]);
      return;
    }
    await p.ready(180_000);
    await sleep(upMin + random() * (upMax - upMin));
  };
  let typicalStart = 3_000;
  const learn = (p: CrashProc): void => {
    if (p.readyAt !== null) typicalStart = 0.7 * typicalStart + 0.3 * (p.readyAt - p.spawnedAt);
  };
  const tick = o.tickSeconds ?? 1;
  const leaseMs = o.leaseMs ?? 3000;
  const root = findPackageRoot();
  const dataDir = resolve(root, o.dataDir ?? '../shared/data');
  const tmp = mkdtempSync(join(tmpdir(), 'crash-'));
  let keepTmp = false;
  const cleanups: (() => Promise<unknown>)[] = [async () => (keepTmp ? undefined : rmSync(tmp, { recursive: true, force: true }))];
  const procs: CrashProc[] = [];
  let tg: FakeTelegramServer | null = null;
  let market: EmulatedMarket | null = null;
  let redis: Redis | null = null;
  try {
    tg = await startFakeTelegram({ token: TOKEN, callLogCapacity: 1_000_000 });
    const owner = tg.user(OWNER);
    tg.world.privateChat(owner.user).started = true;

    let databaseUrl = `pglite:${join(tmp, 'db')}`;
    const prefix = `tgt:crash:${randomBytes(4).toString('hex')}:`;
    if (o.workers === 2) {
      const base = o.postgresUrl ?? 'postgresql://postgres@127.0.0.1:5432/test';
      const name = `tgt_crash_${randomBytes(5).toString('hex')}`;
      await adminQuery(base, `CREATE DATABASE "${name}"`);
      cleanups.push(() => adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      const u = new URL(base);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
      redis = new Redis(o.redisUrl ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
      await redis.connect();
      const r = redis;
      cleanups.push(async () => {
        const keys = await r.keys(`${prefix}*`);
        if (keys.length > 0) await r.del(...keys);
        await r.quit();
      });
    }

    const yaml = join(tmp, 'config.yaml');
    writeFileSync(yaml, configYaml({ tickSeconds: tick, replaySpeed: o.replaySpeed ?? 3600 }));
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      CONFIG_FILE: yaml,
      ALLOWED_USER_IDS: String(OWNER),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: tg.apiRoot,
      LOG_LEVEL: 'info',
      TRADING_MODE: o.mode,
      ...(o.workers === 2 ? { REDIS_URL: o.redisUrl ?? 'redis://127.0.0.1:6379' } : {}),
    };
    if (o.mode === 'paper') env.MARKET_DATA_DIR = dataDir;
    else {
      market = await startEmulatedMarket({ file: join(dataDir, 'binance_BTCUSDT_1m_2021-05-01_2021-06-01.csv'), candleMs: o.candleMs ?? 50, balances: { USDT: 100_000 } });
      const m = market;
      cleanups.push(() => m.close());
      Object.assign(env, { EXCHANGE_API_URL: market.emu.url, EXCHANGE_API_KEY: EMU_KEY, EXCHANGE_API_SECRET: EMU_SECRET });
    }
    const common = ['--lease-ms', String(leaseMs), '--key-prefix', prefix, '--grid', o.grid ?? 'lines=12,range_pct=3,investment=500'];
    const monitor = o.workers === 2 && redis ? new LeaseMonitor(redis, prefix, o.bots) : null;
    let n = 0;
    const spawn = (role: string, extra: string[] = [], envOver: Record<string, string> = {}): CrashProc => {
      const p = spawnCrashWorker(`${role}-${n++}`, ['--role', role, ...common, ...extra], { ...env, ...envOver }, (proc, e) => {
        if (e.msg === 'cluster member started' && typeof e.worker === 'string') monitor?.workerIds.set(proc.name, e.worker);
      });
      procs.push(p);
      return p;
    };

    let killsBeforeReady = 0;
    if (o.workers === 1) {
      let proc = spawn('all', ['--bots', String(o.bots)]);
      await proc.ready(180_000);
      for (let k = 0; k < o.kills; k++) {
        await killMoment(proc, typicalStart);
        learn(proc);
        if (proc.readyAt === null) killsBeforeReady++;
        await proc.kill9();
        log(`kill ${k + 1}/${o.kills}: ${proc.name} after ${Date.now() - proc.spawnedAt} ms (${proc.readyAt === null ? 'still starting' : `ready after ${proc.readyAt - proc.spawnedAt} ms`})`);
        proc = spawn('all');
      }
      await proc.ready(180_000);
      await sleep(2_000);
      // Freeze the market, let one process settle orders, fills and alerts, then stop it cleanly.
      if (market) market.stopFeed();
      else {
        await proc.stop();
        writeFileSync(yaml, configYaml({ tickSeconds: tick, replaySpeed: 0.000001 }));
        proc = spawn('all');
        await proc.ready(180_000);
      }
      await quiet(tg, 3_000, 4_000 + 3_000 * tick);
      await proc.stop();
    } else {
      const bot = spawn('bot', ['--bots', String(o.bots)]);
      await bot.ready(180_000);
      const workers = [spawn('worker'), spawn('worker')];
      await Promise.all(workers.map((w) => w.ready(180_000)));
      monitor!.start();
      for (let k = 0; k < o.kills; k++) {
        const i = random() < 0.5 ? 0 : 1;
        const victim = workers[i]!;
        // One worker down at a time: the other one is up before this one dies.
        await workers[1 - i]!.ready(180_000);
        await killMoment(victim, typicalStart);
        learn(victim);
        if (victim.readyAt === null) killsBeforeReady++;
        await victim.kill9();
        monitor!.killed(victim.name, victim.killedAt!);
        log(`kill ${k + 1}/${o.kills}: ${victim.name} after ${Date.now() - victim.spawnedAt} ms`);
        workers[i] = spawn('worker');
      }
      await Promise.all(workers.map((w) => w.ready(180_000)));
      await sleep(2_000);
      market?.stopFeed();
      await quiet(tg, 3_000, 4_000 + 3_000 * tick);
      monitor!.stop();
      for (const w of workers) await w.stop();
      await bot.stop();
    }

    if (process.env.CRASH_LOG_DIR) {
      for (const p of procs) writeFileSync(join(process.env.CRASH_LOG_DIR, `${p.name}.jsonl`), p.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
    const db = await openDatabase(databaseUrl);
    try {
      const idPrefix = ((await db.prisma.setting.findUnique({ where: { key: 'installation:prefix' } }))?.value as string | undefined) ?? '';
      const exchange = market ? emulatorView(market.emu) : await paperView(db.prisma);
      const check = await checkCrashRun({
        prisma: db.prisma,
        idPrefix,
        exchange,
        initial: o.mode === 'live' ? { USDT: 100_000 } : { USDT: 100_000 },
        base: 'BTC',
        quote: 'USDT',
        chatId: OWNER,
        sent: sentMessages(tg),
      });
      const leases = monitor && market ? await analyseLeases({ prisma: db.prisma, procs, sends: market.sends, monitor, leaseMs }) : undefined;
      const violations = [...check.violations, ...(leases?.violations ?? [])];
      return {
        mode: o.mode,
        workers: o.workers,
        bots: o.bots,
        kills: o.kills,
        killsBeforeReady,
        restarts: procs.length - 1,
        durationMs: Date.now() - started,
        ...check,
        violations,
        ...(leases ? { leases } : {}),
        ok: violations.length === 0,
      };
    } finally {
      await db.close();
    }
  } catch (err) {
    // Keep what the processes left (the database directory) for a post-mortem.
    keepTmp = true;
    throw new Error(`${err instanceof Error ? err.message : String(err)} (files kept in ${tmp})`, { cause: err });
  } finally {
    for (const p of procs) await p.kill9();
    await tg?.close();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

/** Waits until no message went out for `quietMs` (at least `minMs` in all, at most 60 s). */
async function quiet(tg: FakeTelegramServer, quietMs: number, minMs: number): Promise<void> {
  const start = Date.now();
  let last = tg.callsTo('sendMessage').length;
  let since = Date.now();
  while (Date.now() - start < 60_000) {
    await sleep(250);
    const now = tg.callsTo('sendMessage').length;
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    if (Date.now() - since >= quietMs && Date.now() - start >= minMs) return;
  }
}

/** The bot's messages to the owner, with the HTML it sent (calls and chat messages are in the same order). */
function sentMessages(tg: FakeTelegramServer): SentMessage[] {
  const calls = tg.callsTo('sendMessage').filter((c) => c.ok && Number(c.params.chat_id) === OWNER);
  const chat = tg.world.chats.get(OWNER);
  const ids = chat ? [...chat.messages.values()].filter((m) => m.fromBot).map((m) => m.message.message_id).sort((a, b) => a - b) : [];
  return calls.map((c, i) => ({ messageId: ids[i] ?? -1, html: String(c.params.text ?? '') }));
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
