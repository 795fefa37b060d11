// Parses DATABASE_URL into the database the app should open. Pure: no I/O.
import path from 'node:path';

export const DEFAULT_DATABASE_URL = 'pglite:./data/db';

export type DatabaseTarget =
  | {
      kind: 'pglite';
      /** Absolute data directory, or null for an in-memory database (`pglite:memory`). */
      dir: string | null;
      /** The directory as the user wrote it, for messages. */
      displayDir: string;
      display: string;
    }
  | { kind: 'postgres'; url: string; display: string };

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

const EXPECTED =
  'Expected pglite:<directory> (e.g. pglite:./data/db), pglite:memory, or postgresql://user:password@host:5432/database.';

/**
 * `pglite:<dir>` -> embedded PGlite in <dir> (relative to `cwd`); `pglite:memory` -> in-memory PGlite;
 * `postgresql://...` or `postgres://...` -> PostgreSQL. Empty -> the default `pglite:./data/db`.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  const raw = url.trim() === '' ? DEFAULT_DATABASE_URL : url.trim();
  if (raw.startsWith('pglite:')) {
    const rest = raw.slice('pglite:'.length);
    if (rest === 'memory' || rest === 'memory://') {
      return { kind: 'pglite', dir: null, displayDir: 'memory', display: 'pglite:memory' };
    }
    const dir = rest.startsWith('file://') ? rest.slice('file://'.length) : rest;
    if (dir === '') throw new DatabaseUrlError(`DATABASE_URL "${raw}" names no directory. ${EXPECTED}`);
    return { kind: 'pglite', dir: path.resolve(cwd, dir), displayDir: dir, display: `pglite:${dir}` };
  }
  if (raw.startsWith('postgresql://') || raw.startsWith('postgres://')) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new DatabaseUrlError(`DATABASE_URL is not a valid PostgreSQL URL. ${EXPECTED}`);
    }
    if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
      throw new DatabaseUrlError(`DATABASE_URL names no PostgreSQL host. ${EXPECTED}`);
    }
    return { kind: 'postgres', url: raw, display: redactDatabaseUrl(raw) };
  }
  throw new DatabaseUrlError(`DATABASE_URL "${redactDatabaseUrl(raw)}" is not supported. ${EXPECTED}`);
}

/** The URL with any password (in the authority or a `password=` parameter) replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  let out = url;
  const schemeEnd = out.indexOf('://');
  if (schemeEnd >= 0) {
    const start = schemeEnd + 3;
    const queryAt = out.slice(start).search(/[?#]/);
    const authorityEnd = queryAt < 0 ? out.length : start + queryAt;
    const at = out.lastIndexOf('@', authorityEnd - 1);
    if (at >= start) {
      const colon = out.indexOf(':', start);
      if (colon >= 0 && colon < at) out = `${out.slice(0, colon)}:***${out.slice(at)}`;
    }
  }
  return out.replace(/([?&]password=)[^&#]*/gi, '$1***');
}
