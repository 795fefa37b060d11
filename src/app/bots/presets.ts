import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePresetFile, type Preset } from '../../engines/presets.js';
import { ConfigError } from '../../config/errors.js';

/** Loads every configs/presets/*.yaml once at start; a bad file stops start-up with one line. */
export function loadPresets(dir: string): Preset[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  } catch {
    return [];
  }
  const all: Preset[] = [];
  for (const f of files) {
    const r = parsePresetFile(readFileSync(join(dir, f), 'utf8'), join(dir, f));
    if (!r.ok) throw new ConfigError(`Invalid preset file ${r.error}`);
    all.push(...r.presets);
  }
  return all;
}

/** The preset to use: the named one, else the strategy's preset for this symbol, else its first. */
export function choosePreset(presets: readonly Preset[], strategy: string, symbol: string, name?: string): Preset | null {
  const mine = presets.filter((p) => p.strategy === strategy);
  if (name !== undefined) return mine.find((p) => p.name === name) ?? null;
  return mine.find((p) => p.symbol === symbol) ?? mine[0] ?? null;
}
