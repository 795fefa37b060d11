/**
 * Strategy presets (configs/presets/<strategy>.yaml). A file holds one strategy's named presets:
 *
 *   strategy: grid
 *   presets:
 *     grid-btc-default:
 *       description: ...
 *       symbol: BTC/USDT        # optional: the market it was tuned for
 *       config: { range_pct: 8, lines: 20, investment: 500 }
 *
 * Parsing is pure (the caller reads the file); every preset is validated with its schema.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { formatConfigError } from './config/errors.js';
import { isStrategyName, parseStrategyConfig, STRATEGY_NAMES } from './registry.js';
import type { StrategyName } from './types.js';

export interface Preset {
  name: string;
  strategy: StrategyName;
  description: string;
  symbol?: string;
  /** The raw config (validated; parse it again with the schema to get defaults filled in). */
  config: Record<string, unknown>;
}

const fileSchema = z.strictObject(
  {
    strategy: z.string({ error: 'the preset file needs a "strategy:" line' }),
    presets: z.record(
      z.string(),
      z.strictObject(
        {
          description: z.string({ error: 'each preset needs a description' }),
          symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, { error: 'symbol must look like BTC/USDT' }).optional(),
          config: z.record(z.string(), z.unknown(), { error: 'each preset needs a config: mapping' }),
        },
        { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown preset field(s) ${iss.keys.join(', ')} (use description, symbol, config)` : undefined) },
      ),
      { error: 'presets: must map preset names to presets' },
    ),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown top-level field(s) ${iss.keys.join(', ')} (use strategy, presets)` : undefined) },
);

export type PresetFile = { ok: true; presets: Preset[] } | { ok: false; error: string };

export function parsePresetFile(text: string, source = 'preset file'): PresetFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { ok: false, error: `${source}: not valid YAML (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
  const r = fileSchema.safeParse(doc);
  if (!r.success) return { ok: false, error: `${source}: ${formatConfigError(r.error)}` };
  const strategy = r.data.strategy;
  if (!isStrategyName(strategy)) return { ok: false, error: `${source}: unknown strategy "${strategy}" (known: ${STRATEGY_NAMES.join(', ')})` };
  const presets: Preset[] = [];
  for (const [name, p] of Object.entries(r.data.presets)) {
    const parsed = parseStrategyConfig(strategy, p.config);
    if (!parsed.ok) return { ok: false, error: `${source}: preset ${name}: ${parsed.error}` };
    presets.push({ name, strategy, description: p.description, config: p.config, ...(p.symbol !== undefined ? { symbol: p.symbol } : {}) });
  }
  if (presets.length === 0) return { ok: false, error: `${source}: no presets` };
  return { ok: true, presets };
}
