// Generates the Prisma client offline. `prisma generate` never runs the schema engine, but the CLI
// insists that an engine binary exists; any executable satisfies it (see shared/notes/prisma-offline.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  // Production installs (npm ci --omit=dev) have no prisma CLI; the client must already be generated.
  if (existsSync('src/generated/prisma/client.ts')) process.exit(0);
  console.error('prisma CLI not installed and no generated client found: run `npm install` with dev dependencies.');
  process.exit(1);
}
const engine = process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? (existsSync('/bin/false') ? '/bin/false' : process.execPath);
const r = spawnSync(process.execPath, [cli, 'generate'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: engine, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
});
if (r.status !== 0) {
  process.stdout.write(r.stdout ?? '');
  process.exit(r.status ?? 1);
}
