// Paper trading with two workers: the paper book lives in one process, so the second worker waits
// as a standby and takes over (opening the book from the database) when the first one stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type Worker } from '../../src/cluster/worker.js';
import { parseAppConfig, parseEnv, type Config } from '../../src/config/load.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BotRepository } from '../../src/store/bots.js';
import { createTempPostgres, type TempPostgres } from '../store/helpers.js';
import { POSTGRES_URL, REDIS_URL, testRedis, until, type TestRedis } from './redis-helpers.js';

describe('paper trading with two workers', () => {
  let pgdb: TempPostgres;
  let r: TestRedis;
  const workers: Worker[] = [];
  beforeAll(async () => {
    pgdb = await createTempPostgres(POSTGRES_URL);
    r = await testRedis();
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await r?.close();
    await pgdb?.drop();
  }, 60_000);

  const config = (): Config => ({
    env: parseEnv({ DATABASE_URL: pgdb.url, REDIS_URL, LOG_LEVEL: 'silent', MARKET_DATA_DIR: '../shared/data' }),
    app: parseAppConfig('trading:\n  tickSeconds: 1\npaper:\n  replaySpeed: 600\n', 'test.yaml'),
  });

  it('runs the paper book on one worker at a time; the standby takes over with the same book', async () => {
    const cluster = { leaseMs: 1_500, keyPrefix: r.prefix };
    const a = await startWorker({ config: config(), logger: silentLogger(), online: false, cluster });
    workers.push(a);
    const plan = await a.trading.bots.planStart('grid', 'BTC/USDT', undefined, { lines: '8', range_pct: '3', investment: '300' });
    await a.trading.bots.start({ id: 1, role: 'owner' }, plan);
    await until(() => a.trading.loop.size === 1, 10_000, 'A running the bot');
    await until(async () => (await orderCount()) > 0, 15_000, 'orders in the book');

    let bReady = false;
    const bStarting = startWorker({ config: config(), logger: silentLogger(), online: false, cluster }).then((w) => {
      bReady = true;
      workers.push(w);
      return w;
    });
    await new Promise((res) => setTimeout(res, 2_000));
    expect(bReady).toBe(false); // standing by

    const ordersBefore = await orderCount();
    await a.stop();
    workers.shift();
    const b = await bStarting;
    await until(() => b.trading.loop.size === 1, 10_000, 'B running the bot');
    // The same book: B sees A's open orders and places none twice.
    const open = await b.trading.exchange.exchange.fetchOpenOrders('BTC/USDT');
    expect(open.length).toBeGreaterThan(0);
    expect((await new BotRepository(b.db.prisma).get(1))!.fence).toBeGreaterThan(1);
    const ids = (await b.db.prisma.order.findMany()).map((o) => o.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(ordersBefore);

    async function orderCount(): Promise<number> {
      return (workers[0] ?? a).db.prisma.order.count();
    }
  }, 90_000);
});
