/** Order records of the paper exchange: creation, fills, and the public view. Pure. */
import { floorToStep, roundMoney } from '../../lib/precision.js';
import type { Fee, MarketRules, Order, OrderStatus } from '../types.js';
import type { PaperOrderRecord } from './state.js';
import type { PreparedOrder } from '../order-rules.js';
import type { OrderRequest } from '../types.js';

export function newOrderRecord(id: string, req: OrderRequest, prep: PreparedOrder, now: number): PaperOrderRecord {
  return {
    id,
    clientOrderId: req.clientOrderId,
    symbol: req.symbol,
    side: req.side,
    type: req.type,
    price: prep.price,
    amount: prep.amount,
    filled: 0,
    remaining: prep.amount,
    average: null,
    status: 'open',
    fee: null,
    createdAt: now,
    updatedAt: now,
    locked: 0,
    lockedAsset: null,
    cost: 0,
    postOnly: req.postOnly ?? false,
  };
}

export function isOpen(status: OrderStatus): boolean {
  return status === 'open' || status === 'partially_filled';
}

/** Adds a fill to an order record (amount on the step grid, values rounded to 8 decimals). */
export function recordFill(rec: PaperOrderRecord, rules: MarketRules, amount: number, price: number, fee: Fee, now: number): void {
  rec.filled = floorToStep(rec.filled + amount, rules.stepSize);
  rec.remaining = floorToStep(Math.max(0, rec.amount - rec.filled), rules.stepSize);
  rec.cost = roundMoney(rec.cost + amount * price);
  rec.average = rec.filled > 0 ? roundMoney(rec.cost / rec.filled, 10) : null;
  rec.fee = rec.fee === null ? { ...fee } : { cost: roundMoney(rec.fee.cost + fee.cost), currency: fee.currency };
  rec.status = rec.remaining <= 0 ? 'filled' : 'partially_filled';
  rec.updatedAt = now;
}

/** The public Order view of a record. */
export function orderView(rec: PaperOrderRecord): Order {
  return {
    id: rec.id,
    clientOrderId: rec.clientOrderId,
    symbol: rec.symbol,
    side: rec.side,
    type: rec.type,
    price: rec.price,
    amount: rec.amount,
    filled: rec.filled,
    remaining: rec.remaining,
    average: rec.average,
    status: rec.status,
    fee: rec.fee ? { ...rec.fee } : null,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
  };
}
