import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, parseDatabaseUrl, redactDatabaseUrl } from '../../src/store/database-url.js';

describe('DATABASE_URL', () => {
  it('reads pglite directories relative to the working directory, and memory', () => {
    expect(parseDatabaseUrl('pglite:./data/db', '/srv/app')).toEqual({
      kind: 'pglite',
      dir: path.resolve('/srv/app', 'data/db'),
      displayDir: './data/db',
      display: 'pglite:./data/db',
    });
    expect(parseDatabaseUrl('', '/srv/app')).toMatchObject({ kind: 'pglite', dir: '/srv/app/data/db' });
    expect(parseDatabaseUrl('pglite:/var/lib/tg')).toMatchObject({ dir: '/var/lib/tg' });
    expect(parseDatabaseUrl('pglite:memory')).toMatchObject({ kind: 'pglite', dir: null });
  });

  it('reads PostgreSQL URLs and redacts passwords for display', () => {
    expect(parseDatabaseUrl('postgresql://bot:s3cret@db:5432/trader')).toEqual({
      kind: 'postgres',
      url: 'postgresql://bot:s3cret@db:5432/trader',
      display: 'postgresql://bot:***@db:5432/trader',
    });
    expect(parseDatabaseUrl('postgres://db/trader').kind).toBe('postgres');
    expect(redactDatabaseUrl('postgresql://u:p@ss:w/rd@host/db?sslmode=require')).toBe('postgresql://u:***@host/db?sslmode=require');
    expect(redactDatabaseUrl('postgresql://host/db?user=u&password=x&a=1')).toBe('postgresql://host/db?user=u&password=***&a=1');
    expect(redactDatabaseUrl('postgresql://u@host/db')).toBe('postgresql://u@host/db');
  });

  it('rejects anything else with one sentence naming DATABASE_URL and the expected forms', () => {
    for (const bad of ['sqlite:./x.db', 'pglite:', './data/db', 'http://x']) {
      expect(() => parseDatabaseUrl(bad)).toThrow(DatabaseUrlError);
      expect(() => parseDatabaseUrl(bad)).toThrow(/^DATABASE_URL .*Expected pglite:<directory> \(e\.g\. pglite:\.\/data\/db\), pglite:memory, or postgresql:\/\//);
    }
  });
});
