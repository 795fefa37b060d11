// Redis for cluster tests: a connection and a key prefix of its own per test file (parallel runs never
// collide), every key under it deleted and the connections closed at the end.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_DATABASE_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestRedis {
  prefix: string;
  /** A new connection (closed by `close`). */
  connect(): Promise<Redis>;
  close(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const prefix = `tgt:test:${randomBytes(5).toString('hex')}:`;
  const conns: Redis[] = [];
  const connect = async (): Promise<Redis> => {
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    r.on('error', () => undefined);
    await r.connect();
    conns.push(r);
    return r;
  };
  const admin = await connect();
  return {
    prefix,
    connect,
    async close() {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      for (const c of conns) await c.quit().catch(() => c.disconnect());
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true (every 20 ms) or the timeout passes. */
export async function until(fn: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
