// A bot process and two workers in one test process, on PostgreSQL + Redis, trading on the Binance
// emulator: the workers share the bots, a command from the bot process halts a bot on the worker that
// runs it, fills reach Telegram through the bot process's sender, /metrics and /health answer, and a
// worker that stops hands its bots to the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type Worker } from '../../src/cluster/worker.js';
import { parseAppConfig, parseEnv, type Config } from '../../src/config/load.js';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/dev/binance-emulator/index.js';
import { startFakeTelegram, type FakeTelegramServer } from '../../src/dev/fake-telegram/index.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { createTempPostgres, type TempPostgres } from '../store/helpers.js';
import { POSTGRES_URL, REDIS_URL, testRedis, until, type TestRedis } from './redis-helpers.js';

const OWNER = 1001;
const TOKEN = '7000000001:FAKE-telegram-token-cluster-test';

describe('a bot process and two workers', () => {
  let pgdb: TempPostgres;
  let r: TestRedis;
  let emu: BinanceEmulator;
  let tg: FakeTelegramServer;
  let bot: Runtime | null = null;
  const workers: Worker[] = [];

  beforeAll(async () => {
    pgdb = await createTempPostgres(POSTGRES_URL);
    r = await testRedis();
    emu = await startBinanceEmulator({ apiKey: 'k-cluster', apiSecret: 's-cluster', balances: { USDT: 100_000 } });
    emu.state.setPrice('BTCUSDT', 30_000);
    tg = await startFakeTelegram({ token: TOKEN });
    tg.world.privateChat(tg.user(OWNER).user).started = true;
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await bot?.stop();
    await tg?.close();
    await emu?.close();
    await r?.close();
    await pgdb?.drop();
  }, 60_000);

  const config = (): Config => ({
    env: parseEnv({
      DATABASE_URL: pgdb.url,
      REDIS_URL,
      TRADING_MODE: 'live',
      EXCHANGE_API_URL: emu.url,
      EXCHANGE_API_KEY: 'k-cluster',
      EXCHANGE_API_SECRET: 's-cluster',
      ALLOWED_USER_IDS: String(OWNER),
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    }),
    app: parseAppConfig('trading:\n  tickSeconds: 1\nrisk:\n  maxDrawdownPct: 99\n  maxExposure: 1000000\n', 'test.yaml'),
  });
  const cluster = () => ({ leaseMs: 1_500, keyPrefix: r.prefix, haltTimeoutMs: 5_000 });

  it('shares bots, halts on command, delivers alerts once, serves metrics, and fails over', async () => {
    bot = await startRuntime({ config: config(), logger: silentLogger(), role: 'bot', cluster: cluster(), telegram: { token: TOKEN, apiRoot: tg.apiRoot } });
    for (let i = 0; i < 2; i++) workers.push(await startWorker({ config: config(), logger: silentLogger(), cluster: cluster() }));
    const [a, b] = workers as [Worker, Worker];
    expect(bot.services.cluster.role).toBe('bot');

    const actor = { id: OWNER, role: 'owner' as const };
    for (let i = 0; i < 4; i++) {
      const plan = await bot.app.bots.planStart('grid', 'BTC/USDT', undefined, { lines: '10', range_pct: '4', investment: '500' });
      await bot.app.bots.start(actor, plan);
    }
    // The bot process runs nothing itself; the workers split the four bots, none on both.
    await until(() => a.trading.loop.size + b.trading.loop.size === 4 && a.trading.loop.size === 2, 15_000, 'two bots per worker');
    expect(bot.services.cluster.enabled).toBe(true);
    const onA = new Set(a.trading.loop.held());
    expect(b.trading.loop.held().filter((id) => onA.has(id))).toEqual([]);
    await until(() => emu.state.openOrders('BTCUSDT').length >= 4 * 8, 15_000, 'the grids on the exchange');

    // Prices fall through a buy line: fills, recorded by the workers, announced by the bot process.
    emu.state.setPrice('BTCUSDT', 29_550);
    await until(() => tg.callsTo('sendMessage').some((c) => c.ok && /Bought|alerts/.test(String(c.params.text))), 20_000, 'a fill alert');

    // /stop with cancel from the bot process: the worker running bot 1 cancels its orders at once.
    const cid1 = (cid: string) => cid.split('-')[1] === '1';
    const before = emu.state.openOrders('BTCUSDT').filter((o) => cid1(o.clientOrderId)).length;
    expect(before).toBeGreaterThan(0);
    const stopped = await bot.app.bots.stop(1, true);
    expect(stopped.cancelled).toBeGreaterThan(0); // what was open then (a fill may have moved a line meanwhile)
    expect(emu.state.openOrders('BTCUSDT').filter((o) => cid1(o.clientOrderId))).toEqual([]);
    await until(() => a.trading.loop.size + b.trading.loop.size === 3, 10_000, 'bot 1 dropped');

    // /metrics and /health of a worker.
    const port = a.services.ops!.port;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/tgt_ticks_total\{outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/tgt_tick_duration_seconds_bucket/);
    expect(metrics).toMatch(/tgt_orders_total\{action="placed"\} [1-9]/);
    expect(metrics).toMatch(/tgt_bots\{state="running"\} 3/);
    expect(metrics).toMatch(/tgt_lease_events_total\{event="acquired"\} [1-9]/);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string; role: string };
    expect(health).toMatchObject({ status: 'ok', role: 'worker' });
    const botMetrics = await (await fetch(`http://127.0.0.1:${bot.services.ops!.port}/metrics`)).text();
    expect(botMetrics).toMatch(/tgt_alerts_sent_total [1-9]|tgt_alerts_queued\{state="delivered"\} [1-9]/);

    // Every alert row went out, once.
    await until(async () => (await bot!.db.prisma.outbox.count({ where: { deliveredAt: null } })) === 0, 15_000, 'the outbox drained');
    const rows = await bot.db.prisma.outbox.findMany();
    const sent = tg.callsTo('sendMessage').filter((c) => c.ok).map((c) => String(c.params.text));
    for (const row of rows) expect(sent.filter((t) => t.includes(row.text)).length).toBeLessThanOrEqual(1);

    // Worker A stops: B runs all three within about a lease period.
    const t0 = Date.now();
    await a.stop();
    workers.shift();
    await until(() => b.trading.loop.size === 3, 10_000, 'B running every bot');
    expect(Date.now() - t0).toBeLessThan(6_000);
  }, 120_000);
});
