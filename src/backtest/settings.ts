/**
 * The strategy settings a backtest runs with: the preset's (configs/presets) overlaid with what the
 * trader typed. A grid range given one way (lower/upper, or range_pct) replaces the preset's range
 * given the other way, so `/backtest grid BTC/USDT 90d lower=50000 upper=70000` just works.
 */
import type { Preset } from '../engines/presets.js';

const ABSOLUTE = ['lower', 'upper', 'stop_loss', 'take_profit'];
const RELATIVE = ['range_pct', 'stop_loss_pct', 'take_profit_pct'];

/** The preset of a strategy to start from: by name, else the one for the market, else the first. */
export function pickPreset(presets: readonly Preset[], strategy: string, symbol: string | undefined, name: string | undefined): Preset | null | string {
  const mine = presets.filter((p) => p.strategy === strategy);
  if (name !== undefined) {
    const p = mine.find((x) => x.name === name);
    return p ?? `there is no ${strategy} preset "${name}"${mine.length > 0 ? ` (known: ${mine.map((x) => x.name).join(', ')})` : ''}`;
  }
  if (symbol !== undefined) {
    const forSymbol = mine.find((p) => p.symbol === symbol);
    if (forSymbol) return forSymbol;
  }
  return mine[0] ?? null;
}

export function mergeSettings(preset: Preset | null, typed: Readonly<Record<string, string | number>>): Record<string, unknown> {
  const base: Record<string, unknown> = { ...(preset?.config ?? {}) };
  const keys = Object.keys(typed);
  if (keys.some((k) => k === 'lower' || k === 'upper')) for (const k of RELATIVE) delete base[k];
  if (keys.includes('range_pct')) for (const k of ABSOLUTE) delete base[k];
  return { ...base, ...typed };
}
