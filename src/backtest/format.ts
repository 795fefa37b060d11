/**
 * Results as plain text: a compact monospace table, the header lines and the assumptions. The
 * bot wraps them in HTML (escaped); the CLI prints them as they are.
 */
import type { BacktestMetrics } from './metrics.js';
import { RANK_METRICS } from './metrics.js';
import type { OptimizeOutcome } from './optimize.js';
import { formatDay } from './period.js';
import type { BacktestResult, DataInfo } from './types.js';

const num = (x: number | null, d = 2): string => (x === null ? 'n/a' : x.toFixed(d));
const signed = (x: number, d = 2): string => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;
const EXIT_LABELS: Record<string, string> = {
  take_profit: 'take profit',
  stop_loss: 'stop loss',
  grid_cycle: 'grid cycle',
  end_of_test: 'end of test',
  trailing: 'trailing take profit',
  trailing_stop: 'trailing stop',
  risk: 'risk halt',
};

export function exitsText(exits: Record<string, number>): string {
  const parts = Object.entries(exits).map(([k, v]) => `${EXIT_LABELS[k] ?? k.replace(/_/g, ' ')} ${v}`);
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

/** The metrics as aligned rows (monospace). */
export function metricsTable(m: BacktestMetrics, quote: string): string[] {
  const w = Math.max(...[m.netProfit, m.buyHoldProfit, m.maxDrawdown].map((x) => signed(x).length));
  const row = (label: string, amount: string, pct: string): string => `${label.padEnd(13)}${amount.padStart(w)} ${quote}  ${pct.padStart(8)}`;
  const rows = [
    row('Net profit', signed(m.netProfit), `${signed(m.netProfitPct)}%`),
    row('Buy and hold', signed(m.buyHoldProfit), `${signed(m.buyHoldPct)}%`),
    row('Max drawdown', m.maxDrawdown.toFixed(2), `${m.maxDrawdownPct.toFixed(2)}%`),
    `Sharpe ${num(m.sharpe)} · Sortino ${num(m.sortino)} (daily)`,
    `Trades ${m.trades} · win rate ${m.winRatePct === null ? 'n/a' : `${m.winRatePct.toFixed(1)}%`} · profit factor ${m.profitFactor === null ? (m.wins > 0 ? '∞' : 'n/a') : m.profitFactor.toFixed(2)}`,
    `Fills ${m.fills} · fees ${m.feesPaid.toFixed(2)} ${quote} · in market ${m.timeInMarketPct.toFixed(1)}%`,
    `Realised ${signed(m.realisedProfit)} · unrealised ${signed(m.unrealisedProfit)} ${quote}`,
    `Exits: ${exitsText(m.exits)}`,
  ];
  if (m.dealsOpened > 0) rows.splice(5, 0, `Deals opened ${m.dealsOpened}`);
  if (m.grid) rows.push(`Grid: ${m.grid.cycles} cycles · ${m.grid.profitPerCycle === null ? 'n/a' : m.grid.profitPerCycle.toFixed(4)} ${quote} per cycle`);
  return rows;
}

export function dataLine(d: DataInfo): string {
  const gaps = d.gaps.missing > 0 ? ` · ${d.gaps.missing} candles missing in ${d.gaps.count} gaps` : ' · no gaps';
  return `data: ${d.source}, ${formatDay(d.from)}..${formatDay(d.to)} (${d.candles} × ${d.timeframe}${gaps})`;
}

export interface ResultText {
  title: string;
  description: string;
  data: string;
  table: string[];
  notes: string[];
  warnings: string[];
  assumptions: string[];
}

export function resultText(r: BacktestResult): ResultText {
  const quote = r.symbol.split('/')[1] ?? '';
  return {
    title: `Backtest ${r.strategy} ${r.symbol}${r.data.synthetic ? ' (SYNTHETIC PRICES)' : ''}`,
    description: r.description,
    data: dataLine(r.data),
    table: metricsTable(r.metrics, quote),
    notes: r.data.notes,
    warnings: r.warnings,
    assumptions: r.assumptions,
  };
}

/** The whole result for a terminal. */
export function resultPlain(r: BacktestResult, extra: string[] = []): string {
  const t = resultText(r);
  return [
    t.title,
    t.description,
    t.data,
    ...t.notes.map((n) => `note: ${n}`),
    '',
    ...t.table,
    ...(t.warnings.length > 0 ? ['', ...t.warnings.map((w) => `warning: ${w}`)] : []),
    '',
    'Assumptions:',
    ...t.assumptions.map((a) => `- ${a}`),
    ...extra,
  ].join('\n');
}

/** The values of a sweep run, e.g. "lines=20 range_pct=10". */
export const valuesText = (v: Record<string, number>): string => Object.entries(v).map(([k, x]) => `${k}=${x}`).join(' ');

/** The top runs of a sweep as aligned rows. */
export function sweepTable(o: OptimizeOutcome): string[] {
  const label = RANK_METRICS[o.metric].label;
  const rows = o.top.map((r, i) => {
    const m = r.metrics!;
    return `${String(i + 1).padStart(2)}. ${valuesText(r.values).padEnd(28)} net ${`${signed(m.netProfitPct)}%`.padStart(8)} · DD ${`${m.maxDrawdownPct.toFixed(1)}%`.padStart(6)} · Sharpe ${num(m.sharpe).padStart(6)} · trades ${m.trades}`;
  });
  return [`Top ${o.top.length} of ${o.runs} by ${label}:`, ...rows];
}

export function sweepPlain(o: OptimizeOutcome): string {
  const lines = [
    `Sweep ${o.strategy} ${o.symbol}: ${o.runs} runs${o.failed > 0 ? ` (${o.failed} refused)` : ''}`,
    dataLine(o.data),
    ...o.data.notes.map((n) => `note: ${n}`),
    '',
    ...sweepTable(o),
    ...o.errors.map((e) => `refused: ${e}`),
    '',
    `⚠️ ${o.warning}`,
  ];
  return lines.join('\n');
}
