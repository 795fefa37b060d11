// `npm run db:migration -- <name>`: writes prisma/migrations/<yyyymmddHHMMSS>_<name>/migration.sql with
// the SQL that brings the existing migrations up to prisma/schema.prisma (offline, via the wasm schema
// engine). `npm run db:check` (--check): exits 1 when the schema and the migrations disagree (CI).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE, readMigrationFiles } from '../src/store/migration-files.js';
import { defaultMigrationsDir } from '../src/store/package-root.js';
import { diffSchemaAgainstMigrations } from '../src/store/schema-diff.js';

const USAGE =
  'Usage: npm run db:migration -- <name>   (e.g. add_orders)\n       npm run db:check\n' +
  '       (either takes --migrations <dir> to use another migrations folder than prisma/migrations)';

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  const m = args.indexOf('--migrations');
  let dir = defaultMigrationsDir();
  if (m >= 0) {
    const given = args[m + 1];
    if (given === undefined) {
      console.error(USAGE);
      return 2;
    }
    dir = path.resolve(given);
    args.splice(m, 2);
  }
  if (args.includes('--check')) return check(dir);
  if (args.length !== 1 || args[0] === undefined || args[0].startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const name = migrationName(args[0]);
  if (name === '') {
    console.error(`"${args[0]}" is not a usable migration name: use letters, digits and underscores.\n${USAGE}`);
    return 2;
  }
  return create(name, dir);
}

async function check(dir: string): Promise<number> {
  const sql = await diffSchemaAgainstMigrations({ migrationsDir: dir });
  const hasLock = existsSync(path.join(dir, MIGRATION_LOCK_FILE));
  if (sql === '' && (hasLock || (await readMigrationFiles(dir)).length === 0)) {
    console.log('prisma/schema.prisma and prisma/migrations agree.');
    return 0;
  }
  if (sql === '') {
    console.error(`prisma/migrations has no ${MIGRATION_LOCK_FILE}: add one containing provider = "postgresql".`);
    return 1;
  }
  console.error(
    'prisma/schema.prisma and prisma/migrations disagree: the migrations lack the changes below. ' +
      'Create a migration with `npm run db:migration -- <name>` and commit it.\n\n' +
      sql,
  );
  return 1;
}

async function create(name: string, dir: string): Promise<number> {
  const sql = await diffSchemaAgainstMigrations({ migrationsDir: dir });
  if (sql === '') {
    console.log('No schema changes.');
    return 0;
  }
  const existing = await readMigrationFiles(dir);
  const folder = `${nextTimestamp(new Date(), existing.map((m) => m.name))}_${name}`;
  const target = path.join(dir, folder);
  await mkdir(target, { recursive: true });
  await writeFile(path.join(target, 'migration.sql'), sql);
  const lock = path.join(dir, MIGRATION_LOCK_FILE);
  if (!existsSync(lock)) await writeFile(lock, MIGRATION_LOCK_CONTENT);
  console.log(`Created ${path.relative(process.cwd(), path.join(target, 'migration.sql'))}`);
  return 0;
}

/** Prisma's style: lower snake case, letters/digits/underscores only. */
export function migrationName(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
}

/** yyyymmddHHMMSS in UTC, bumped past the newest existing folder so the order always holds. */
export function nextTimestamp(now: Date, existingNames: readonly string[]): string {
  const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const newest = existingNames
    .map((n) => n.slice(0, 14))
    .filter((s) => /^\d{14}$/.test(s))
    .sort()
    .at(-1);
  if (newest === undefined || stamp(now) > newest) return stamp(now);
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((i, k) => newest.slice(i, k === 0 ? 4 : i + 2));
  return stamp(new Date(Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`) + 1000));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  },
);
