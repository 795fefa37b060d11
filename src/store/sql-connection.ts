// Raw SQL access below Prisma (for the migration runner): one session on PGlite or PostgreSQL.
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

export interface SqlConnection {
  /** Sends `sql` as ONE simple query: several statements run in one implicit transaction. */
  exec(sql: string): Promise<void>;
  /** One parameterised statement ($1, $2, ...). */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export function pgliteConnection(db: PGlite): SqlConnection {
  return {
    async exec(sql) {
      await db.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
  };
}

export function pgConnection(client: pg.Client | pg.PoolClient): SqlConnection {
  return {
    async exec(sql) {
      await client.query(sql); // no values: pg uses the simple query protocol
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
  };
}
