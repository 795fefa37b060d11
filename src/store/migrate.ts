// The offline migration runner: what `prisma migrate deploy` does, without Prisma's schema engine
// (see shared/notes/prisma-offline.md). It keeps Prisma's folder format and Prisma's own
// `_prisma_migrations` table, so the official CLI reads the result as clean.
//
// Safe on every start: it applies only what is new, refuses when an earlier migration failed, when an
// applied migration.sql was edited, or when the database has a migration this code does not know.
import { randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { checksumMatches, readMigrationFiles, type MigrationFile } from './migration-files.js';
import { defaultMigrationsDir } from './package-root.js';
import { pgConnection, pgliteConnection, type SqlConnection } from './sql-connection.js';
import { silentLogger, type StoreLogger } from './logger.js';
import { redactDatabaseUrl } from './database-url.js';

/** The advisory lock key `prisma migrate` uses on PostgreSQL, so the two never run at once. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;
const ADVISORY_LOCK_TIMEOUT = '60s';

/** Prisma's exact table definition (PostgreSQL). */
export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    message: string,
    readonly migration: string | null,
  ) {
    super(message);
  }
}

export interface MigrateOptions {
  /** Defaults to <package root>/prisma/migrations. */
  migrationsDir?: string;
  logger?: StoreLogger;
  /** Row ids for _prisma_migrations; defaults to random UUIDs. */
  newId?: () => string;
}

export interface MigrationReport {
  /** Names of the migrations this run applied, in order (empty when the database was up to date). */
  applied: string[];
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

/**
 * Applies the pending migrations over `conn`. The caller must hold the lock that keeps other
 * migrators out (see migratePostgres / the PGlite directory lock).
 */
export async function applyMigrations(conn: SqlConnection, opts: MigrateOptions = {}): Promise<MigrationReport> {
  const dir = opts.migrationsDir ?? defaultMigrationsDir();
  const logger = opts.logger ?? silentLogger;
  const newId = opts.newId ?? randomUUID;
  const files = await readMigrationFiles(dir);

  await conn.exec(CREATE_MIGRATIONS_TABLE);
  const rows = await conn.query<MigrationRow>(
    'SELECT "id", "checksum", "migration_name", "finished_at", "rolled_back_at", "started_at" ' +
      'FROM "_prisma_migrations" ORDER BY "started_at", "migration_name"',
  );
  const pending = planMigrations(files, rows);

  const applied: string[] = [];
  for (const m of pending) {
    const id = newId();
    await conn.query(
      'INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count") ' +
        'VALUES ($1, $2, $3, now(), 0)',
      [id, m.checksum, m.name],
    );
    try {
      await conn.exec(m.sql);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      // A file with its own BEGIN leaves the session in an aborted transaction; end it (a no-op otherwise).
      await conn.exec('ROLLBACK').catch(() => undefined);
      await conn.query('UPDATE "_prisma_migrations" SET "logs" = $2 WHERE "id" = $1', [id, reason]);
      throw new MigrationError(
        `Migration ${m.name} failed: ${reason}. Nothing from it was applied; ` +
          'fix its migration.sql, mark it rolled back ' +
          `(UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${m.name}'), and start again.`,
        m.name,
      );
    }
    await conn.query(
      'UPDATE "_prisma_migrations" SET "finished_at" = now(), "applied_steps_count" = 1 WHERE "id" = $1',
      [id],
    );
    logger.info({ migration: m.name }, 'Applied database migration');
    applied.push(m.name);
  }
  return { applied };
}

/** Decides what to apply; throws MigrationError when the history does not allow going on. */
export function planMigrations(files: readonly MigrationFile[], rows: readonly MigrationRow[]): MigrationFile[] {
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} failed earlier (started ${failed.started_at.toISOString()}), so the ` +
        'database schema may not match the code. Fix the cause, then mark it rolled back ' +
        `(UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${failed.migration_name}' ` +
        `or \`prisma migrate resolve --rolled-back ${failed.migration_name}\`) and start again.`,
      failed.migration_name,
    );
  }
  const byName = new Map(files.map((f) => [f.name, f]));
  const done = new Set<string>();
  for (const row of rows) {
    if (row.finished_at === null || row.rolled_back_at !== null) continue;
    const file = byName.get(row.migration_name);
    if (!file) {
      throw new MigrationError(
        `The database has migration ${row.migration_name}, which this version of the app does not have ` +
          '(it was applied by a newer or different version). Run that version, or point DATABASE_URL at another database.',
        row.migration_name,
      );
    }
    if (!checksumMatches(file.sql, row.checksum)) {
      throw new MigrationError(
        `Migration ${row.migration_name} was modified after it was applied to this database ` +
          `(checksum ${row.checksum.slice(0, 12)}... no longer matches its migration.sql). ` +
          'Restore the original file and put the change in a new migration (npm run db:migration -- <name>).',
        row.migration_name,
      );
    }
    done.add(row.migration_name);
  }
  return files.filter((f) => !done.has(f.name));
}

/** Migrates a PGlite database. The caller holds the directory lock (or the database is in memory). */
export async function migratePglite(db: PGlite, opts: MigrateOptions = {}): Promise<MigrationReport> {
  return applyMigrations(pgliteConnection(db), opts);
}

/** Migrates a PostgreSQL database on its own connection, under Prisma's advisory lock. */
export async function migratePostgres(url: string, opts: MigrateOptions = {}): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new Error(`Could not connect to PostgreSQL at ${redactDatabaseUrl(url)}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  try {
    await client.query(`SET lock_timeout = '${ADVISORY_LOCK_TIMEOUT}'`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    } catch (e) {
      throw new MigrationError(
        `Another process has held the migration lock on ${redactDatabaseUrl(url)} for over ${ADVISORY_LOCK_TIMEOUT} ` +
          `(pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})): ${e instanceof Error ? e.message : String(e)}`,
        null,
      );
    }
    await client.query('RESET lock_timeout');
    try {
      return await applyMigrations(pgConnection(client), opts);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
