// Shared test helpers: every storage test runs on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set
// (each test file then works in its own fresh database, dropped afterwards).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type TargetKind = 'pglite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

/** ['pglite'] plus 'postgres' when TEST_DATABASE_URL is set. */
export const storageTargets: TargetKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TempPostgres {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE tgt_<random> next to the database in `baseUrl`; drop() removes it. */
export async function createTempPostgres(baseUrl: string): Promise<TempPostgres> {
  const name = `tgt_${randomBytes(6).toString('hex')}`;
  await adminQuery(baseUrl, `CREATE DATABASE "${name}"`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: () => adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
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

export async function tempDir(prefix = 'tgt-store-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
