/**
 * startup.pglite / startup.postgres (ms from process start to "ready": database open and migrated,
 * bot initialised, commands published, polling) and rss.idle.pglite / rss.idle.postgres (MB after an
 * idle second). Runs the compiled JS, as `npm start` does. The PostgreSQL pair needs TEST_DATABASE_URL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Benchmark, BenchResult } from './types.js';

const PROBE = 'dist/src/dev/startup-probe.js';

function ensureBuilt(): void {
  if (existsSync(PROBE)) return;
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

function probe(databaseUrl: string): { readyMs: number; rssMb: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', PROBE], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`startup probe failed: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { readyMs: number; rssMb: number };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const startup: Benchmark = {
  names: ['startup.pglite', 'rss.idle.pglite', 'startup.postgres', 'rss.idle.postgres'],
  async run() {
    ensureBuilt();
    const out: BenchResult[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
    try {
      const url = `pglite:${join(dir, 'db')}`;
      const fresh = probe(url);
      const restarts = [probe(url), probe(url), probe(url)];
      out.push({ bench: 'startup.pglite', value: median(restarts.map((r) => r.readyMs)), unit: 'ms', fresh_directory_ms: fresh.readyMs, runs: 3, runner: 'node dist (compiled)' });
      out.push({ bench: 'rss.idle.pglite', value: median(restarts.map((r) => r.rssMb)), unit: 'MB', fresh_directory_mb: fresh.rssMb });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const base = process.env.TEST_DATABASE_URL;
    if (base) {
      const name = `bench_${Date.now()}`;
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      try {
        const u = new URL(base);
        u.pathname = `/${name}`;
        const first = probe(u.toString());
        const restarts = [probe(u.toString()), probe(u.toString()), probe(u.toString())];
        out.push({ bench: 'startup.postgres', value: median(restarts.map((r) => r.readyMs)), unit: 'ms', first_start_ms: first.readyMs, runs: 3, runner: 'node dist (compiled)' });
        out.push({ bench: 'rss.idle.postgres', value: median(restarts.map((r) => r.rssMb)), unit: 'MB' });
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    }
    return out;
  },
};

export default [startup];
