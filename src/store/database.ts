// Opens the app's database from DATABASE_URL: embedded PGlite (default) or PostgreSQL, migrated.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { silentLogger, type StoreLogger } from './logger.js';
import { migratePglite, migratePostgres } from './migrate.js';

export interface Database {
  prisma: PrismaClient;
  kind: 'pglite' | 'postgres';
  /** The URL for display (password redacted). */
  url: string;
  /** Migrations applied by this open (empty when the database was already up to date). */
  appliedMigrations: readonly string[];
  /** Closes Prisma, then PGlite, then releases the directory lock. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  logger?: StoreLogger;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** Defaults to <package root>/prisma/migrations. */
  migrationsDir?: string;
}

/**
 * `pglite:<dir>` (e.g. pglite:./data/db), `pglite:memory`, or `postgresql://...` / `postgres://...`.
 * Throws one clear sentence for a bad URL, a directory in use, a failed or edited migration.
 */
export async function openDatabase(url: string, opts: OpenDatabaseOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const logger = opts.logger ?? silentLogger;
  const migrateOpts = { logger, ...(opts.migrationsDir === undefined ? {} : { migrationsDir: opts.migrationsDir }) };

  if (target.kind === 'postgres') {
    const applied = opts.migrate === false ? [] : (await migratePostgres(target.url, migrateOpts)).applied;
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: target.url }) });
    if (opts.migrate === false) await checkConnection(prisma, target.url);
    logger.info({ database: target.display, applied }, 'Database open');
    return {
      prisma,
      kind: 'postgres',
      url: target.display,
      appliedMigrations: applied,
      close: once(() => prisma.$disconnect()),
    };
  }

  let lock: DirLock | null = null;
  let pglite: PGlite | null = null;
  try {
    if (target.dir !== null) {
      await mkdir(target.dir, { recursive: true });
      lock = await acquireDirLock(target.dir, target.displayDir);
    }
    pglite = await openPglite(target.dir, target.displayDir);
    const applied = opts.migrate === false ? [] : (await migratePglite(pglite, migrateOpts)).applied;
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    const db = pglite;
    const held = lock;
    logger.info({ database: target.display, applied }, 'Database open');
    return {
      prisma,
      kind: 'pglite',
      url: target.display,
      appliedMigrations: applied,
      close: once(async () => {
        try {
          await prisma.$disconnect();
        } finally {
          try {
            await db.close();
          } finally {
            await held?.release();
          }
        }
      }),
    };
  } catch (e) {
    await pglite?.close().catch(() => undefined);
    await lock?.release();
    throw e;
  }
}

async function openPglite(dir: string | null, displayDir: string): Promise<PGlite> {
  const db = dir === null ? new PGlite() : new PGlite(dir);
  try {
    await db.waitReady;
  } catch (e) {
    throw new Error(
      `Could not open the PGlite database in ${displayDir}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  return db;
}

async function checkConnection(prisma: PrismaClient, url: string): Promise<void> {
  try {
    await prisma.$queryRawUnsafe('SELECT 1');
  } catch (e) {
    await prisma.$disconnect().catch(() => undefined);
    throw new Error(
      `Could not connect to PostgreSQL at ${redactDatabaseUrl(url)}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | null = null;
  return () => (p ??= fn());
}
