/**
 * Strategy registry: name -> schema, factory, summary, market checks and starting funds.
 * Config input is what a trader types (key=value, strings allowed); errors are one sentence.
 */
import type { z } from 'zod';
import type { MarketRules } from '../exchange/types.js';
import { ConfigError, formatConfigError } from './config/errors.js';
import { dcaBudget, checkDca, dcaSchema, type DcaConfig } from './dca/config.js';
import { createDcaEngine, describeDca } from './dca/engine.js';
import { gridSchema, type GridConfig } from './grid/config.js';
import { assertGridSpacing, createGridEngine, describeGrid } from './grid/engine.js';
import { planGrid } from './grid/plan.js';
import { hybridSchema, type HybridConfig } from './hybrid/config.js';
import { createHybridEngine, describeHybrid } from './hybrid/engine.js';
import { SnapshotError } from './core/shell.js';
import { checkTrend, trendSchema, type TrendConfig } from './trend/config.js';
import { createTrendEngine, describeTrend } from './trend/engine.js';
import type { Engine, EngineSnapshot, StrategyName } from './types.js';

export interface StrategyEntry<C> {
  name: StrategyName;
  title: string;
  schema: z.ZodType<C>;
  /** Throws ConfigError (one sentence) when the config cannot run on this market; SnapshotError for a foreign snapshot. */
  create(config: C, rules: MarketRules, snapshot?: EngineSnapshot): Engine;
  /** A short human summary. */
  describe(config: C, rules: MarketRules): string;
  /** Market checks at a price (fees, minimums): one sentence, or null when it can run. */
  check(config: C, rules: MarketRules, price: number): string | null;
  /** Funds the engine expects to be allotted. */
  budget(config: C, rules: MarketRules): { quote: number; base: number };
}

function spacingCheck(c: GridConfig | HybridConfig, rules: MarketRules): string | null {
  try {
    assertGridSpacing(c, rules);
    return null;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

const grid: StrategyEntry<GridConfig> = {
  name: 'grid',
  title: 'Grid',
  schema: gridSchema,
  create: createGridEngine,
  describe: describeGrid,
  check: (c, rules, price) => {
    const p = planGrid(c, rules, price, { quote: c.investment, base: c.base_investment, label: 'investment' });
    return typeof p === 'string' ? p : null;
  },
  budget: (c) => ({ quote: c.investment, base: c.base_investment }),
};

const dca: StrategyEntry<DcaConfig> = {
  name: 'dca',
  title: 'DCA',
  schema: dcaSchema,
  create: createDcaEngine,
  describe: describeDca,
  check: (c, rules) => checkDca(c, rules),
  budget: (c, rules) => ({ quote: dcaBudget(c, rules), base: 0 }),
};

const hybrid: StrategyEntry<HybridConfig> = {
  name: 'hybrid',
  title: 'Hybrid grid + DCA',
  schema: hybridSchema,
  create: createHybridEngine,
  describe: describeHybrid,
  check: (c, rules, price) => {
    const s = spacingCheck(c, rules);
    if (s !== null) return s;
    const p = planGrid(c, rules, price, { quote: c.investment * (1 - c.reserve_pct / 100), base: c.base_investment, label: `investment (less reserve_pct=${c.reserve_pct}%)` });
    return typeof p === 'string' ? p : null;
  },
  budget: (c) => ({ quote: c.investment, base: c.base_investment }),
};

const trend: StrategyEntry<TrendConfig> = {
  name: 'trend',
  title: 'Trend follower',
  schema: trendSchema,
  create: createTrendEngine,
  describe: describeTrend,
  check: (c, rules) => checkTrend(c, rules),
  budget: (c) => ({ quote: c.investment, base: 0 }),
};

export const strategies = { grid, dca, hybrid, trend } as const;

export type AnyStrategyEntry = (typeof strategies)[StrategyName];

export const STRATEGY_NAMES = Object.keys(strategies) as StrategyName[];

export function isStrategyName(s: string): s is StrategyName {
  return Object.prototype.hasOwnProperty.call(strategies, s);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates a raw config for a strategy: the parsed config, or one sentence. */
export function parseStrategyConfig(name: string, input: unknown): Outcome<unknown> {
  if (!isStrategyName(name)) return { ok: false, error: `unknown strategy "${name}" (known: ${STRATEGY_NAMES.join(', ')})` };
  const r = (strategies[name].schema as z.ZodType).safeParse(input ?? {});
  return r.success ? { ok: true, value: r.data } : { ok: false, error: formatConfigError(r.error) };
}

export interface CreateOptions {
  snapshot?: EngineSnapshot;
  /** When given, the market checks run at this price first. */
  price?: number;
}

/** Parses, checks and creates in one go; every failure is one sentence. */
export function createEngine(name: string, input: unknown, rules: MarketRules, opts: CreateOptions = {}): Outcome<Engine> {
  const parsed = parseStrategyConfig(name, input);
  if (!parsed.ok) return parsed;
  const entry = strategies[name as StrategyName] as StrategyEntry<unknown>;
  if (opts.price !== undefined && opts.snapshot === undefined) {
    const problem = entry.check(parsed.value, rules, opts.price);
    if (problem !== null) return { ok: false, error: `${problem}.` };
  }
  try {
    return { ok: true, value: entry.create(parsed.value, rules, opts.snapshot) };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SnapshotError) return { ok: false, error: `${err.message}.` };
    throw err;
  }
}
