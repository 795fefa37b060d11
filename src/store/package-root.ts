// Finds the package root (the nearest folder with package.json above this module), so the migrations
// folder is found both from src/ (tsx, vitest) and from the compiled dist/src/ (node).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function findPackageRoot(fromUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json found above ${fileURLToPath(fromUrl)}.`);
    dir = parent;
  }
}

/** <package root>/prisma/migrations */
export function defaultMigrationsDir(): string {
  return path.join(findPackageRoot(), 'prisma', 'migrations');
}

/** <package root>/prisma/schema.prisma */
export function defaultSchemaPath(): string {
  return path.join(findPackageRoot(), 'prisma', 'schema.prisma');
}
