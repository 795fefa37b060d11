// Dev-time only (imports dev dependencies): compares prisma/schema.prisma with prisma/migrations using
// Prisma's schema engine compiled to wasm, with a throwaway in-memory PGlite as shadow database.
// Used by `npm run db:migration` / `npm run db:check` and by a test. See shared/notes/prisma-offline.md.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE, readMigrationFiles } from './migration-files.js';
import { defaultMigrationsDir, defaultSchemaPath } from './package-root.js';

export interface SchemaDiffOptions {
  /** Defaults to <package root>/prisma/schema.prisma. */
  schemaPath?: string;
  /** Schema text to use instead of reading schemaPath. */
  schema?: string;
  /** Defaults to <package root>/prisma/migrations. */
  migrationsDir?: string;
}

/** The SQL that would bring the migrations up to the schema; '' when they agree. */
export async function diffSchemaAgainstMigrations(opts: SchemaDiffOptions = {}): Promise<string> {
  const schemaPath = opts.schemaPath ?? defaultSchemaPath();
  const schema = opts.schema ?? (await readFile(schemaPath, 'utf8'));
  const baseDir = opts.migrationsDir ?? defaultMigrationsDir();
  const lockPath = path.join(baseDir, MIGRATION_LOCK_FILE);
  // A folder without migration_lock.toml (no migrations yet) is read as PostgreSQL, like the one we write.
  const lockContent = existsSync(lockPath) ? await readFile(lockPath, 'utf8') : MIGRATION_LOCK_CONTENT;
  const migrations = await readMigrationFiles(baseDir);

  await loadEngineWasm();
  const scratch = new PGlite();
  await scratch.waitReady;
  let engine: bg.SchemaEngine | null = null;
  try {
    const pglite = new PrismaPGlite(scratch);
    const factory: SqlMigrationAwareDriverAdapterFactory = {
      provider: pglite.provider,
      adapterName: pglite.adapterName,
      connect: () => pglite.connect(),
      connectToShadowDb: () => pglite.connect(),
    };
    engine = await bg.SchemaEngine.new(
      { datamodels: [[schemaPath, schema]] },
      () => undefined,
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    const result = await engine.diff({
      from: {
        tag: 'migrations',
        baseDir,
        lockfile: { path: MIGRATION_LOCK_FILE, content: lockContent },
        shadowDbInitScript: '',
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
        })),
      },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    // exitCode 2 = the schema and the migrations differ; 0 = they agree.
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } finally {
    engine?.free();
    await scratch.close();
  }
}

interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: { __wbindgen_start: () => void } } }>;
}

let wasmLoaded: Promise<void> | null = null;

/** Instantiates the engine's wasm once per process, without Node's --experimental-wasm-modules. */
function loadEngineWasm(): Promise<void> {
  wasmLoaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const bytes = await readFile(wasmPath);
    // The project's lib settings declare no WebAssembly global; Node has one.
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
  })();
  return wasmLoaded;
}
