/**
 * `npm run bench [-- NAME ...]`: runs every benchmark (or those whose names or name prefixes are given)
 * and prints one JSON object per line: {"bench": name, "value": n, "unit": u, ...details}.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
  let failures = 0;
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: Benchmark | Benchmark[] };
    const list = Array.isArray(mod.default) ? mod.default : [mod.default];
    for (const b of list) {
      if (wanted.length > 0 && !b.names.some((n) => wanted.some((w) => n === w || n.startsWith(w + '.') || n.startsWith(w)))) continue;
      try {
        for (const r of await b.run()) console.log(JSON.stringify(r));
      } catch (err) {
        failures++;
        console.error(`benchmark ${b.names.join(',')} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
