/**
 * Redis connections for the cluster (ioredis): one for commands, one for subscriptions (a
 * subscribed connection can do nothing else). Keys share a prefix derived from DATABASE_URL, so
 * two installations on one Redis never see each other's leases.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';

export interface RedisPair {
  cmd: Redis;
  sub: Redis;
  /** Key prefix, e.g. "tgt:3f2a9c1b:". */
  prefix: string;
  close(): Promise<void>;
}

/** A prefix every process of one installation (same database) computes alike; the password is left out. */
export function keyPrefixFor(databaseUrl: string): string {
  let id = databaseUrl;
  try {
    const u = new URL(databaseUrl);
    u.password = '';
    u.username = '';
    id = u.toString();
  } catch {
    // pglite:<dir> is not a URL: use it as it is.
  }
  return `tgt:${createHash('sha256').update(id).digest('hex').slice(0, 10)}:`;
}

/** A worker id unique per process: host, pid and a random part. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export async function connectRedis(url: string, prefix: string): Promise<RedisPair> {
  const opts = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectionName: 'tg-trader' } as const;
  const cmd = new Redis(url, opts);
  const sub = new Redis(url, opts);
  // Errors surface on the commands that fail; without a listener ioredis would print each reconnect.
  cmd.on('error', () => undefined);
  sub.on('error', () => undefined);
  try {
    await cmd.connect();
    await sub.connect();
  } catch (err) {
    cmd.disconnect();
    sub.disconnect();
    throw new Error(`Could not connect to Redis at REDIS_URL (${redactUrl(url)}): ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    cmd,
    sub,
    prefix,
    async close() {
      await Promise.allSettled([cmd.quit(), sub.quit()]);
      cmd.disconnect();
      sub.disconnect();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unreadable URL';
  }
}
