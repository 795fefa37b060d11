// The migration runner on a raw connection. Each scenario works in its own schema of one shared
// database (PGlite always; PostgreSQL too when TEST_DATABASE_URL is set), with its own migrations folder.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/store/migration-files.js';
import { applyMigrations, MigrationError, migratePostgres } from '../../src/store/migrate.js';
import { pgConnection, pgliteConnection, type SqlConnection } from '../../src/store/sql-connection.js';
import { createTempPostgres, storageTargets, TEST_DATABASE_URL, tempDir, type TempPostgres } from './helpers.js';

let tmp: { dir: string; remove(): Promise<void> };
let folders = 0;

beforeAll(async () => {
  tmp = await tempDir('tgt-migrate-');
});
afterAll(async () => {
  await tmp.remove();
});

/** A migrations folder with the given {name: sql} entries. */
async function migrationsFolder(files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp.dir, `m${folders++}`);
  await mkdir(dir, { recursive: true });
  for (const [name, sql] of Object.entries(files)) await writeMigration(dir, name, sql);
  return dir;
}

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

describe.each(storageTargets)('migration runner on %s', (kind) => {
  let conn: SqlConnection;
  let close: () => Promise<void>;
  let schemas = 0;

  beforeAll(async () => {
    if (kind === 'pglite') {
      const db = new PGlite();
      await db.waitReady;
      conn = pgliteConnection(db);
      close = () => db.close();
    } else {
      const temp = await createTempPostgres(TEST_DATABASE_URL!);
      const client = new pg.Client({ connectionString: temp.url });
      await client.connect();
      conn = pgConnection(client);
      close = async () => {
        await client.end();
        await temp.drop();
      };
    }
  });
  afterAll(async () => {
    await close();
  });

  /** Switches the session to a new empty schema. */
  async function freshSchema(): Promise<string> {
    const name = `s${schemas++}`;
    await conn.exec(`CREATE SCHEMA ${name}; SET search_path TO ${name}`);
    return name;
  }

  const rows = () =>
    conn.query<Row>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count FROM "_prisma_migrations" ORDER BY started_at, migration_name',
    );
  const tableExists = async (t: string) =>
    (await conn.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [t]))[0]?.r != null;

  it("creates Prisma's _prisma_migrations table exactly", async () => {
    const schema = await freshSchema();
    await applyMigrations(conn, { migrationsDir: await migrationsFolder({}) });
    const cols = await conn.query<Record<string, unknown>>(
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations'
        ORDER BY ordinal_position`,
      [schema],
    );
    expect(cols).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', len: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', len: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', len: null, is_nullable: 'NO', column_default: '0' },
    ]);
  });

  it('applies new migrations once, in folder order, and nothing on the second run', async () => {
    await freshSchema();
    const dir = await migrationsFolder({
      '20250102000000_second': 'ALTER TABLE a ADD COLUMN y int;\nCREATE TABLE b (id int);',
      '20250101000000_first': 'CREATE TABLE a (x int);',
    });
    const first = await applyMigrations(conn, { migrationsDir: dir });
    expect(first.applied).toEqual(['20250101000000_first', '20250102000000_second']);
    const r = await rows();
    expect(r.map((x) => x.migration_name)).toEqual(first.applied);
    expect(r[1]).toMatchObject({
      checksum: sha256Hex('ALTER TABLE a ADD COLUMN y int;\nCREATE TABLE b (id int);'),
      applied_steps_count: 1,
      rolled_back_at: null,
      logs: null,
    });
    expect(r.every((x) => x.finished_at instanceof Date)).toBe(true);

    expect((await applyMigrations(conn, { migrationsDir: dir })).applied).toEqual([]);
    await writeMigration(dir, '20250103000000_third', 'CREATE TABLE c (id int);');
    expect((await applyMigrations(conn, { migrationsDir: dir })).applied).toEqual(['20250103000000_third']);
    expect(await rows()).toHaveLength(3);
  });

  it('stops at a failing migration, applies nothing of it, records the error, and refuses the next start', async () => {
    await freshSchema();
    const dir = await migrationsFolder({
      '20250101000000_ok': 'CREATE TABLE ok1 (x int);',
      '20250102000000_bad': 'CREATE TABLE half (x int);\nSELECT 1/0;',
      '20250103000000_later': 'CREATE TABLE later (x int);',
    });
    const err = await applyMigrations(conn, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).migration).toBe('20250102000000_bad');
    expect((err as Error).message).toMatch(/^Migration 20250102000000_bad failed: division by zero\./);
    expect(await tableExists('ok1')).toBe(true);
    expect(await tableExists('half')).toBe(false); // one simple query = one transaction
    expect(await tableExists('later')).toBe(false);
    const bad = (await rows()).find((x) => x.migration_name === '20250102000000_bad');
    expect(bad).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(bad?.logs).toContain('division by zero');

    await expect(applyMigrations(conn, { migrationsDir: dir })).rejects.toThrow(
      /^Migration 20250102000000_bad failed earlier \(started .*\), so the database schema may not match the code\./,
    );

    // The documented way out: fix the file, mark the failed attempt rolled back, start again.
    await writeMigration(dir, '20250102000000_bad', 'CREATE TABLE half (x int);');
    await conn.exec(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '20250102000000_bad'`);
    expect((await applyMigrations(conn, { migrationsDir: dir })).applied).toEqual([
      '20250102000000_bad',
      '20250103000000_later',
    ]);
  });

  it('recovers the session after a failing migration that has its own BEGIN', async () => {
    await freshSchema();
    const dir = await migrationsFolder({ '20250101000000_tx': 'BEGIN;\nCREATE TABLE t (x int);\nSELECT 1/0;\nCOMMIT;' });
    await expect(applyMigrations(conn, { migrationsDir: dir })).rejects.toThrow(/division by zero/);
    expect((await rows())[0]?.logs).toContain('division by zero');
    expect(await tableExists('t')).toBe(false);
  });

  it('refuses a migration whose file changed after it was applied (line endings aside)', async () => {
    await freshSchema();
    const dir = await migrationsFolder({ '20250101000000_one': 'CREATE TABLE one (x int);\nCREATE TABLE two (x int);\n' });
    await applyMigrations(conn, { migrationsDir: dir });

    await writeMigration(dir, '20250101000000_one', 'CREATE TABLE one (x int);\r\nCREATE TABLE two (x int);\r\n');
    expect((await applyMigrations(conn, { migrationsDir: dir })).applied).toEqual([]);

    await writeMigration(dir, '20250101000000_one', 'CREATE TABLE one (x bigint);\nCREATE TABLE two (x int);\n');
    await writeMigration(dir, '20250102000000_next', 'CREATE TABLE next (x int);');
    await expect(applyMigrations(conn, { migrationsDir: dir })).rejects.toThrow(
      /^Migration 20250101000000_one was modified after it was applied to this database/,
    );
    expect(await tableExists('next')).toBe(false);
  });

  it('refuses a database that has a migration this code does not know', async () => {
    await freshSchema();
    const dir = await migrationsFolder({ '20250101000000_one': 'CREATE TABLE one (x int);' });
    await applyMigrations(conn, { migrationsDir: dir });
    const older = await migrationsFolder({});
    await expect(applyMigrations(conn, { migrationsDir: older })).rejects.toThrow(
      /^The database has migration 20250101000000_one, which this version of the app does not have/,
    );
  });

  it('rejects a migration folder without migration.sql', async () => {
    await freshSchema();
    const dir = await migrationsFolder({});
    await mkdir(path.join(dir, '20250101000000_empty'));
    await expect(applyMigrations(conn, { migrationsDir: dir })).rejects.toThrow(/has no migration\.sql/);
  });

  it.runIf(kind === 'postgres')('applies each migration exactly once when several processes start together', async () => {
    const temp: TempPostgres = await createTempPostgres(TEST_DATABASE_URL!);
    try {
      const dir = await migrationsFolder({
        '20250101000000_slow': 'CREATE TABLE slow (x int); SELECT pg_sleep(0.3);',
        '20250102000000_more': 'CREATE TABLE more (x int);',
      });
      const runs = await Promise.all([1, 2, 3].map(() => migratePostgres(temp.url, { migrationsDir: dir })));
      expect(runs.flatMap((r) => r.applied).sort()).toEqual(['20250101000000_slow', '20250102000000_more']);
      const client = new pg.Client({ connectionString: temp.url });
      await client.connect();
      const { rows: r } = await client.query('SELECT migration_name FROM "_prisma_migrations"');
      await client.end();
      expect(r).toHaveLength(2);
    } finally {
      await temp.drop();
    }
  });
});
