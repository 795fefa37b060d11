// `npm start` runs compiled JS; build it first when it is missing (a fresh clone).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('dist/src/main.js')) {
  console.error('No build found: running `npm run build` first.');
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
