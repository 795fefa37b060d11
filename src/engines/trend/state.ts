/** Trend follower state (plain JSON). */
import type { AtrState, EmaState } from '../indicators.js';
import { atrInit, emaInit } from '../indicators.js';

export type TrendPhase = 'flat' | 'entering' | 'long' | 'exiting' | 'stopped';

export interface TrendState {
  phase: TrendPhase;
  fast: EmaState;
  slow: EmaState;
  atr: AtrState;
  /** fast - slow at the previous close (valid when haveDiff). */
  prevDiff: number;
  haveDiff: boolean;
  entrySeq: number;
  exitSeq: number;
  partialSeq: number;
  /** Net base held and its cost basis (quote, fees included). */
  qty: number;
  cost: number;
  entry: number;
  stop: number;
  initialStop: number;
  target: number;
  partialDone: boolean;
  highest: number;
  /** Realised in the current trade. */
  tradeProfit: number;
  /** An exit decided while a partial close was in flight. */
  exitWanted: string;
  exitReason: string;
  trades: number;
  wins: number;
  losses: number;
  profit: number;
  flattenOnHalt: boolean;
}

export function initialTrendState(fast: number, slow: number, atr: number): TrendState {
  return {
    phase: 'flat', fast: emaInit(fast), slow: emaInit(slow), atr: atrInit(atr), prevDiff: 0, haveDiff: false, entrySeq: 0, exitSeq: 0, partialSeq: 0,
    qty: 0, cost: 0, entry: 0, stop: 0, initialStop: 0, target: 0, partialDone: false, highest: 0, tradeProfit: 0, exitWanted: '', exitReason: '',
    trades: 0, wins: 0, losses: 0, profit: 0, flattenOnHalt: false,
  };
}
