/** DCA state (plain JSON). A deal keeps its own copy of the settings it opened with. */

export type DcaPhase = 'idle' | 'opening' | 'open' | 'closing' | 'stopped';
export type DealExit = '' | 'take_profit' | 'trailing' | 'stop_loss' | 'risk';

export interface DcaDeal {
  id: number;
  openedAt: number;
  basePrice: number;
  /** Net base held in the deal. */
  qty: number;
  /** Cost basis (quote, fees included) of the base held. */
  cost: number;
  /** Realised so far in this deal (partial take-profit fills, closing sale). */
  realised: number;
  soPrices: number[];
  soAmounts: number[];
  /** Next safety order (0-based) not yet posted. */
  soNext: number;
  soFilled: number;
  tp: number;
  trailing: boolean;
  td: number;
  sl: number;
  be: number;
  tpSeq: number;
  /** The live take-profit was cancelled to be re-posted with the new average. */
  tpRefresh: boolean;
  trailActive: boolean;
  peak: number;
  /** Current stop price (0 = none). */
  stopPrice: number;
  breakevenDone: boolean;
  exitSeq: number;
  exit: DealExit;
  exitFlatten: boolean;
}

export interface DcaState {
  phase: DcaPhase;
  deals: number;
  cooldownUntil: number;
  openSeq: number;
  rejects: number;
  deal: DcaDeal | null;
  profit: number;
  /** Base too small to sell after a deal, carried into the next one (with its cost). */
  carryQty: number;
  carryCost: number;
  wins: number;
  losses: number;
  error: string;
}

export function initialDcaState(): DcaState {
  return { phase: 'idle', deals: 0, cooldownUntil: 0, openSeq: 0, rejects: 0, deal: null, profit: 0, carryQty: 0, carryCost: 0, wins: 0, losses: 0, error: '' };
}

export const avgEntry = (d: DcaDeal): number => (d.qty > 0 ? d.cost / d.qty : d.basePrice);
