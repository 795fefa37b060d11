/**
 * Every preset in configs/presets validates, and runs on real candles against the strict paper
 * exchange without a refused order (May 2021 BTC 1m: the crash month; ETH hourly 2018).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePresetFile, type Preset } from '../../src/engines/presets.js';
import { strategies, type StrategyEntry } from '../../src/engines/registry.js';
import type { MarketRules } from '../../src/exchange/types.js';
import { readCandleColumns, type CandleColumns } from '../../src/exchange/market-data/csv.js';
import type { Bar } from './helpers/paths.js';
import { runBars } from './helpers/run.js';

const DIR = join(import.meta.dirname, '../../configs/presets');
const DATA = '/work/shared/data';

const RULES: Record<string, MarketRules> = {
  'BTC/USDT': { symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, stepSize: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 },
  'ETH/USDT': { symbol: 'ETH/USDT', id: 'ETHUSDT', base: 'ETH', quote: 'USDT', tickSize: 0.01, stepSize: 0.0001, minAmount: 0.0001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 },
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const all: Preset[] = [];
for (const f of files) {
  const r = parsePresetFile(readFileSync(join(DIR, f), 'utf8'), f);
  if (r.ok) all.push(...r.presets);
}

function bars(c: CandleColumns, from: number, to: number): Bar[] {
  const out: Bar[] = [];
  for (let i = from; i < Math.min(to, c.length); i++) out.push({ o: c.open[i]!, h: c.high[i]!, l: c.low[i]!, c: c.close[i]! });
  return out;
}

let btc1m: Bar[];
let btc1h: Bar[];
let eth1h: Bar[];

beforeAll(async () => {
  btc1m = bars(await readCandleColumns(`${DATA}/binance_BTCUSDT_1m_2021-05-01_2021-06-01.csv`), 0, 44_640);
  btc1h = bars(await readCandleColumns(`${DATA}/binance_BTCUSDT_1h_2018-01-01_2025-07-01.csv`), 20_000, 26_000);
  eth1h = bars(await readCandleColumns(`${DATA}/binance_ETHUSDT_1h_2018-01-01_2025-07-01.csv`), 0, 6_000);
});

describe('presets', () => {
  it('every file parses, holds its own strategy and at least one preset for each strategy', () => {
    expect(files).toEqual(['dca.yaml', 'grid.yaml', 'hybrid.yaml', 'trend.yaml']);
    for (const f of files) {
      const r = parsePresetFile(readFileSync(join(DIR, f), 'utf8'), f);
      expect(r.ok ? '' : r.error).toBe('');
      if (r.ok) for (const p of r.presets) expect(`${p.strategy}.yaml`).toBe(f);
    }
    expect(new Set(all.map((p) => p.strategy))).toEqual(new Set(['grid', 'dca', 'hybrid', 'trend']));
  });

  it.each(all.map((p) => [p.name, p] as const))('%s runs on real candles without a refused order', (_name, p) => {
    const rules = RULES[p.symbol ?? 'BTC/USDT']!;
    const entry = strategies[p.strategy] as StrategyEntry<unknown>;
    const config = entry.schema.parse(p.config);
    const path = p.strategy === 'trend' || rules.base === 'ETH' ? (rules.base === 'ETH' ? eth1h : btc1h) : btc1m;
    expect(entry.check(config, rules, path[0]!.o)).toBeNull();
    const { sim } = runBars((s) => entry.create(config, rules, s), rules, entry.budget(config, rules), path, { barMs: p.strategy === 'trend' ? 3_600_000 : 60_000 });
    expect(sim.violations).toEqual([]);
    expect(sim.inputs.some((i) => i.ev.type === 'fill')).toBe(true);
    const b = sim.engine.balances();
    expect(b.quote).toBeCloseTo(sim.quote, 4);
    expect(b.base).toBeCloseTo(sim.base, 8);
  });

  it('explains a broken preset file in one sentence', () => {
    expect(parsePresetFile('strategy: grid\npresets:\n  a:\n    description: x\n    config: { lines: 500, range_pct: 5, investment: 100 }\n', 'grid.yaml')).toEqual({ ok: false, error: 'grid.yaml: preset a: lines=500 is above the maximum of 200.' });
    expect(parsePresetFile('strategy: scalper\npresets: {}\n', 'x.yaml')).toEqual({ ok: false, error: 'x.yaml: unknown strategy "scalper" (known: grid, dca, hybrid, trend)' });
    expect(parsePresetFile('strategy: [', 'y.yaml').ok).toBe(false);
  });
});
