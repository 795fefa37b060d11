// prisma/schema.prisma vs prisma/migrations, as `npm run db:check` runs it in CI.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readMigrationFiles } from '../../src/store/migration-files.js';
import { defaultSchemaPath, findPackageRoot } from '../../src/store/package-root.js';
import { tempDir } from './helpers.js';
import { diffSchemaAgainstMigrations } from '../../src/store/schema-diff.js';

describe('schema vs migrations', () => {
  it('the committed migrations produce exactly prisma/schema.prisma', async () => {
    expect(await diffSchemaAgainstMigrations()).toBe('');
  });

  it('reports the SQL a changed schema still needs', async () => {
    const schema = `${await readFile(defaultSchemaPath(), 'utf8')}\nmodel Extra {\n  id Int @id\n}\n`;
    const sql = await diffSchemaAgainstMigrations({ schema });
    expect(sql).toContain('CREATE TABLE "Extra"');
    expect(sql).not.toContain('CREATE TABLE "User"');
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-migration.ts', ...args], {
      cwd: findPackageRoot(),
      encoding: 'utf8',
    });

  it('npm run db:check fails with a clear message when they disagree; db:migration then creates the fix', async () => {
    const tmp = await tempDir('tgt-check-');
    try {
      const check = cli('--check', '--migrations', tmp.dir);
      expect(check.status).toBe(1);
      expect(check.stderr).toMatch(/^prisma\/schema\.prisma and prisma\/migrations disagree: the migrations lack the changes below\./);
      expect(check.stderr).toContain('CREATE TABLE "User"');

      const create = cli('--migrations', tmp.dir, 'Init schema');
      expect(create.status).toBe(0);
      expect(create.stdout).toMatch(/Created .*\d{14}_init_schema\/migration\.sql/);
      const [folder] = (await readMigrationFiles(tmp.dir)).map((m) => m.name);
      expect(folder).toMatch(/^\d{14}_init_schema$/);
      expect(await readFile(path.join(tmp.dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
      expect(await readFile(path.join(tmp.dir, folder!, 'migration.sql'), 'utf8')).toContain('CREATE TABLE "User"');
      // The created migration is exactly what was missing: the check now passes.
      expect(cli('--check', '--migrations', tmp.dir).status).toBe(0);
    } finally {
      await tmp.remove();
    }
  }, 180_000);
});
