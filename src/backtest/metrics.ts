/**
 * Result figures from a simulation: profit against buy-and-hold, drawdown, daily Sharpe and
 * Sortino (annualised over 365 days: crypto trades every day), trade statistics, fees, time in
 * market, exit reasons; for grids the completed cycles. Pure; JSON-safe (no Infinity: null).
 */
import { roundMoney } from '../lib/precision.js';
import type { EquitySamples, SimOutput } from './simulator.js';
import { DAY_MS } from './period.js';

export interface BacktestMetrics {
  initialEquity: number;
  finalEquity: number;
  netProfit: number;
  netProfitPct: number;
  buyHoldProfit: number;
  buyHoldPct: number;
  maxDrawdown: number;
  maxDrawdownPct: number;
  /** Daily, annualised (sqrt 365); null with fewer than 2 daily returns or no variation. */
  sharpe: number | null;
  sortino: number | null;
  /** Closed trades: grid cycles, deals, trend trades, closing sales. */
  trades: number;
  wins: number;
  losses: number;
  winRatePct: number | null;
  /** Gross profit / gross loss; null without a losing trade. */
  profitFactor: number | null;
  fills: number;
  ordersPlaced: number;
  ordersRejected: number;
  feesPaid: number;
  volume: number;
  timeInMarketPct: number;
  realisedProfit: number;
  /** Value change of what is still held at the end (valued at the last close). */
  unrealisedProfit: number;
  exits: Record<string, number>;
  /** DCA deals / trend entries opened. */
  dealsOpened: number;
  grid: { cycles: number; profitPerCycle: number | null } | null;
}

const r2 = (x: number): number => roundMoney(x, 2);
const r4 = (x: number): number => roundMoney(x, 4);

/** Equity at each UTC day boundary in the samples (plus the start), as daily returns. */
export function dailyReturns(s: EquitySamples): number[] {
  const out: number[] = [];
  let prev = s.length > 0 ? s.equity[0]! : 0;
  for (let i = 1; i < s.length; i++) {
    if (s.time[i]! % DAY_MS !== 0) continue;
    const e = s.equity[i]!;
    if (prev > 0) out.push(e / prev - 1);
    prev = e;
  }
  return out;
}

export function sharpeOf(returns: readonly number[]): number | null {
  const n = returns.length;
  if (n < 2) return null;
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1);
  const sd = Math.sqrt(variance);
  return sd > 1e-12 ? r4((mean / sd) * Math.sqrt(365)) : null;
}

export function sortinoOf(returns: readonly number[]): number | null {
  const n = returns.length;
  if (n < 2) return null;
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  const down = Math.sqrt(returns.reduce((a, r) => a + Math.min(0, r) ** 2, 0) / n);
  return down > 1e-12 ? r4((mean / down) * Math.sqrt(365)) : null;
}

export function computeMetrics(sim: SimOutput, opts: { takerFee: number; strategy: string; openAtEnd: boolean }): BacktestMetrics {
  const init = sim.initialEquity;
  const fin = sim.finalEquity;
  const trades = sim.ledger.trades;
  let wins = 0;
  let losses = 0;
  let grossWin = 0;
  let grossLoss = 0;
  for (const t of trades) {
    if (t.profit > 0) {
      wins++;
      grossWin += t.profit;
    } else if (t.profit < 0) {
      losses++;
      grossLoss -= t.profit;
    }
  }
  const hold = init * (1 - opts.takerFee) * (sim.lastClose / sim.firstOpen);
  const returns = dailyReturns(sim.samples);
  const exits = sim.ledger.exits();
  if (opts.openAtEnd) exits.end_of_test = (exits.end_of_test ?? 0) + 1;
  const span = sim.endTime - sim.startTime;
  const isGrid = opts.strategy === 'grid' || opts.strategy === 'hybrid';
  return {
    initialEquity: r2(init),
    finalEquity: r2(fin),
    netProfit: r2(fin - init),
    netProfitPct: init > 0 ? r2(((fin - init) / init) * 100) : 0,
    buyHoldProfit: r2(hold - init),
    buyHoldPct: init > 0 ? r2(((hold - init) / init) * 100) : 0,
    maxDrawdown: r2(sim.maxDrawdown),
    maxDrawdownPct: r2(sim.maxDrawdownPct * 100),
    sharpe: sharpeOf(returns),
    sortino: sortinoOf(returns),
    trades: trades.length,
    wins,
    losses,
    winRatePct: trades.length > 0 ? r2((wins / trades.length) * 100) : null,
    profitFactor: grossLoss > 0 ? r4(grossWin / grossLoss) : null,
    fills: sim.fillCount,
    ordersPlaced: sim.placed,
    ordersRejected: sim.rejected,
    feesPaid: r2(sim.feesQuote),
    volume: r2(sim.volumeQuote),
    timeInMarketPct: span > 0 ? r2((sim.timeInMarketMs / span) * 100) : 0,
    realisedProfit: r2(sim.realisedProfit),
    unrealisedProfit: r2(fin - init - sim.realisedProfit),
    exits,
    dealsOpened: sim.ledger.dealsOpened,
    grid: isGrid ? { cycles: sim.ledger.cycles, profitPerCycle: sim.ledger.cycles > 0 ? r4(sim.ledger.cycleProfit / sim.ledger.cycles) : null } : null,
  };
}

/** The metrics an /optimize run may rank by (higher is better, except drawdown). */
export const RANK_METRICS = {
  profit: { label: 'net profit %', get: (m: BacktestMetrics) => m.netProfitPct, higher: true },
  sharpe: { label: 'Sharpe', get: (m: BacktestMetrics) => m.sharpe ?? -Infinity, higher: true },
  sortino: { label: 'Sortino', get: (m: BacktestMetrics) => m.sortino ?? -Infinity, higher: true },
  drawdown: { label: 'max drawdown', get: (m: BacktestMetrics) => m.maxDrawdownPct, higher: false },
  winrate: { label: 'win rate', get: (m: BacktestMetrics) => m.winRatePct ?? -Infinity, higher: true },
  pf: { label: 'profit factor', get: (m: BacktestMetrics) => m.profitFactor ?? (m.wins > 0 ? Infinity : -Infinity), higher: true },
} as const;

export type RankMetric = keyof typeof RANK_METRICS;

export function isRankMetric(s: string): s is RankMetric {
  return Object.prototype.hasOwnProperty.call(RANK_METRICS, s);
}
