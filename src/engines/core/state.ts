/**
 * The part of every engine's state that tracks orders and funds. Plain JSON (no Infinity, no
 * undefined, no Map) so that a snapshot is a structured clone and restores exactly.
 */
import type { OrderType, Side } from '../../exchange/types.js';
import type { ReportedOrderStatus } from '../types.js';

export type OrderPhase = 'pending' | 'open' | 'closing' | 'done';

export interface OrderRecord {
  seq: number;
  /** Which part of the engine placed it ('grid', 'dca', 'acc', 'trend'): fills are routed back to it. */
  owner: string;
  tag: string;
  /** Owner-specific reference: grid line index, safety order number, ... (-1 when none). */
  ref: number;
  side: Side;
  type: OrderType;
  /** Limit price; for a market order the reference price used to reserve funds (never a level). */
  price: number;
  amount: number;
  status: OrderPhase;
  /** Sum of the fills received (base). */
  filled: number;
  /** Sum of price * amount of the fills (quote). */
  cost: number;
  /** Fees charged in base / in quote (fees in other currencies do not touch the budget). */
  feeBase: number;
  feeQuote: number;
  /** Highest cumulative filled amount the exchange reported. */
  reported: number;
  /** Terminal status reported by the exchange, '' while none. */
  final: '' | ReportedOrderStatus;
  /** Why we asked to cancel it, '' when we did not. */
  cancel: string;
  trades: string[];
}

export type RiskMode = 'active' | 'reducing' | 'halted';

export interface CoreState {
  nextSeq: number;
  /** Live orders: pending, open or closing. */
  orders: OrderRecord[];
  /** The last done orders, kept to recognise duplicate and late fills. */
  recent: OrderRecord[];
  /** Funds allotted to the engine, moved by fills only. */
  quote: number;
  base: number;
  lastPrice: number;
  realised: number;
  /** Fees paid in a currency that is neither base nor quote (e.g. BNB), summed as reported. */
  otherFees: number;
  risk: RiskMode;
}

export function initialCore(quote: number, base: number): CoreState {
  return { nextSeq: 1, orders: [], recent: [], quote, base, lastPrice: 0, realised: 0, otherFees: 0, risk: 'active' };
}

/** Average fill price of an order (0 when nothing filled). */
export function avgPrice(o: OrderRecord): number {
  return o.filled > 0 ? o.cost / o.filled : 0;
}
