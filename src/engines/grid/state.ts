/** The grid's own state (plain JSON), shared by the grid and hybrid engines. */

/** Refusals after which a line stays empty instead of re-posting. */
export const MAX_REJECTS = 3;

export type GridPhase = 'waiting' | 'starting' | 'running' | 'stopping' | 'stopped' | 'idle';
export type GridMode = 'fixed' | 'compound' | 'earn_base';

export interface GridLine {
  side: 'buy' | 'sell' | 'none';
  /** Base to buy, or base held to sell, at this line. */
  amount: number;
  /** Quote paid (fees included) for the base held to sell at this line. */
  cost: number;
  /** Live order at this line (0 when none). */
  seq: number;
  /** Consecutive refusals (rejected / cancelled by the exchange with nothing filled). */
  rejects: number;
  /** Why the line's order could not be placed ('' when it could): reported once. */
  note: string;
}

export interface GridState {
  phase: GridPhase;
  lower: number;
  upper: number;
  stopLoss: number;
  takeProfit: number;
  prices: number[];
  qty: number;
  k: number;
  lines: GridLine[];
  /** -1: waiting for the price to fall to the trigger, +1: to rise to it, 0: not known yet. */
  triggerDir: number;
  inRange: boolean;
  /** Cost per unit of the base held at start (start-up order or base investment). */
  initCost: number;
  initSeq: number;
  exitSeq: number;
  /** Cost basis of what the stop order sells. */
  exitCost: number;
  cycles: number;
  profit: number;
  /** earn_base mode: base kept as profit. */
  profitBase: number;
  stopReason: string;
  flatten: boolean;
  /** Phase after stopping: 'stopped' (grid bot) or 'idle' (hybrid switching to accumulation). */
  after: 'stopped' | 'idle';
  error: string;
}

export function initialGridState(): GridState {
  return {
    phase: 'waiting', lower: 0, upper: 0, stopLoss: 0, takeProfit: 0, prices: [], qty: 0, k: 0, lines: [],
    triggerDir: 0, inRange: true, initCost: 0, initSeq: 0, exitSeq: 0, exitCost: 0, cycles: 0, profit: 0, profitBase: 0,
    stopReason: '', flatten: false, after: 'stopped', error: '',
  };
}
