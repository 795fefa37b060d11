// openDatabase end to end: migrations on open, the PGlite directory lock (same process, child process,
// a child killed with SIGKILL while holding the database), and PostgreSQL when TEST_DATABASE_URL is set.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/database.js';
import { DatabaseUrlError } from '../../src/store/database-url.js';
import { DatabaseInUseError, LOCK_FILE_NAME } from '../../src/store/dir-lock.js';
import { readMigrationFiles } from '../../src/store/migration-files.js';
import { MigrationError } from '../../src/store/migrate.js';
import { defaultMigrationsDir, findPackageRoot } from '../../src/store/package-root.js';
import { SettingsRepository } from '../../src/store/settings.js';
import { UserRepository } from '../../src/store/users.js';
import { createTempPostgres, TEST_DATABASE_URL, tempDir, type TempPostgres } from './helpers.js';

const ROOT = findPackageRoot();
const HOLDER = fileURLToPath(new URL('./fixtures/hold-database.ts', import.meta.url));
let migrationNames: string[];

beforeAll(async () => {
  migrationNames = (await readMigrationFiles(defaultMigrationsDir())).map((m) => m.name);
  expect(migrationNames.length).toBeGreaterThan(0);
});

interface ChildRun {
  pid: number;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** `node --import tsx fixtures/hold-database.ts <url> <mode>` in the package root. */
function runChild(url: string, mode: 'open' | 'hold'): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, url, mode], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const firstLine = new Promise<string>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    child.once('exit', () => resolve(stdout));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { pid: child.pid!, firstLine, exited, kill: (s) => child.kill(s) };
}

async function migrationRows(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name',
  );
  return rows.map((r) => r.migration_name);
}

describe('openDatabase: URLs', () => {
  it('rejects an unsupported DATABASE_URL with one sentence naming the expected forms', async () => {
    const err = await openDatabase('mysql://root:secret@localhost/db').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUrlError);
    expect((err as Error).message).toBe(
      'DATABASE_URL "mysql://root:***@localhost/db" is not supported. Expected pglite:<directory> (e.g. pglite:./data/db), pglite:memory, or postgresql://user:password@host:5432/database.',
    );
  });
});

describe('openDatabase on a PGlite directory', () => {
  let tmp: { dir: string; remove(): Promise<void> };
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    tmp = await tempDir('tgt-db-');
    dataDir = path.join(tmp.dir, 'nested', 'db'); // mkdir -p
    url = `pglite:${dataDir}`;
  });
  afterAll(async () => {
    await tmp.remove();
  });

  it('creates the directory, applies every migration on the first open, and none on the next', async () => {
    const db = await openDatabase(url);
    try {
      expect(db.kind).toBe('pglite');
      expect(db.url).toBe(url);
      expect(db.appliedMigrations).toEqual(migrationNames);
      expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(true);
      await new UserRepository(db.prisma).upsertOwners([111]);
    } finally {
      await db.close();
    }
    expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(false);

    const again = await openDatabase(url);
    try {
      expect(again.appliedMigrations).toEqual([]);
      expect(await migrationRows(again)).toEqual(migrationNames);
      expect(await new UserRepository(again.prisma).getRole(111)).toBe('owner');
    } finally {
      await again.close();
      await again.close(); // twice is fine
    }
  });

  it('refuses a second open of the same directory, in this process and from a child process', async () => {
    const db = await openDatabase(url);
    try {
      await expect(openDatabase(url)).rejects.toThrow(DatabaseInUseError);
      await expect(openDatabase(`pglite:${dataDir}/`)).rejects.toThrow(
        /^The database directory .* is already open in this process/,
      );

      const child = runChild(url, 'open');
      const { code, stderr } = await child.exited;
      expect(code).toBe(3);
      expect(stderr.trim()).toBe(
        `The database directory ${dataDir} is in use by another process (pid ${process.pid}). Stop it first, or set DATABASE_URL to another directory.`,
      );
    } finally {
      await db.close();
    }
  });

  it('takes over the lock of a child killed with SIGKILL while holding the database; its data survives', async () => {
    const child = runChild(url, 'hold');
    expect(await child.firstLine).toBe('READY');

    await expect(openDatabase(url)).rejects.toThrow(
      `The database directory ${dataDir} is in use by another process (pid ${child.pid}). Stop it first, or set DATABASE_URL to another directory.`,
    );

    child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(true); // left behind

    const db = await openDatabase(url);
    try {
      expect(db.appliedMigrations).toEqual([]);
      expect(await migrationRows(db)).toEqual(migrationNames);
      const count = await db.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "_prisma_migrations"');
      expect(count[0]?.n).toBe(migrationNames.length);
      const wrote = await new SettingsRepository(db.prisma).get('child.wrote', z.object({ pid: z.number() }));
      expect(wrote).toEqual({ pid: child.pid });
      expect(await new UserRepository(db.prisma).getRole(111)).toBe('owner');
    } finally {
      await db.close();
    }
  });

  it('refuses to start after a failed migration, and after an applied migration was edited', async () => {
    const migrations = path.join(tmp.dir, 'migrations');
    await cp(defaultMigrationsDir(), migrations, { recursive: true });
    await mkdir(path.join(migrations, '29990101000000_broken'));
    await writeFile(path.join(migrations, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Oops" (x int);\nSELECT 1/0;');

    await expect(openDatabase(url, { migrationsDir: migrations })).rejects.toThrow(
      /^Migration 29990101000000_broken failed: division by zero\./,
    );
    // The lock was released on the failure; the next start names the failed migration.
    const err = await openDatabase(url, { migrationsDir: migrations }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/^Migration 29990101000000_broken failed earlier/);

    // Mark it rolled back, drop it, and edit an applied migration instead.
    const fix = await openDatabase(url, { migrate: false });
    await fix.prisma.$executeRawUnsafe(
      `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '29990101000000_broken'`,
    );
    await fix.close();
    await writeFile(path.join(migrations, '29990101000000_broken', 'migration.sql'), 'SELECT 1;');
    await writeFile(path.join(migrations, migrationNames[0]!, 'migration.sql'), '-- edited\nSELECT 1;');
    await expect(openDatabase(url, { migrationsDir: migrations })).rejects.toThrow(
      new RegExp(`^Migration ${migrationNames[0]} was modified after it was applied to this database`),
    );
  });
});

describe.runIf(TEST_DATABASE_URL !== undefined)('openDatabase on PostgreSQL', () => {
  let temp: TempPostgres;

  beforeAll(async () => {
    temp = await createTempPostgres(TEST_DATABASE_URL!);
  });
  afterAll(async () => {
    await temp?.drop();
  });

  it('applies the migrations once even when several processes open it at the same time', async () => {
    const dbs = await Promise.all([openDatabase(temp.url), openDatabase(temp.url)]);
    try {
      expect(dbs.flatMap((d) => d.appliedMigrations)).toEqual(migrationNames);
      expect(dbs[0]!.kind).toBe('postgres');
      expect(await migrationRows(dbs[0]!)).toEqual(migrationNames);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
    const again = await openDatabase(temp.url);
    try {
      expect(again.appliedMigrations).toEqual([]);
      await new UserRepository(again.prisma).upsertOwners([5]);
      expect(await new UserRepository(again.prisma).getRole(5)).toBe('owner');
    } finally {
      await again.close();
    }
  });

  it('redacts the password in the display URL and explains a failed connection', async () => {
    const u = new URL(temp.url);
    u.password = 'not-needed';
    const db = await openDatabase(u.toString(), { migrate: false });
    expect(db.url).toContain(':***@');
    expect(db.url).not.toContain('not-needed');
    await db.close();

    await expect(openDatabase('postgresql://postgres:pw@127.0.0.1:1/nothing')).rejects.toThrow(
      /^Could not connect to PostgreSQL at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nothing: /,
    );
  });
});
