/**
 * Line bookkeeping of a running grid: posting a line's order, and the counter order when a line's
 * order is done. Sizes by mode:
 *  - fixed: every buy is the original line size; a sell sells what its buy brought (after fees);
 *    profit accrues in quote.
 *  - compound: a buy reinvests the whole proceeds of the sell above it (never below the original size).
 *  - earn_base: a sell sells only the base needed to get back what its buy cost; the rest is kept
 *    as base profit.
 * A re-posted buy never shrinks below the original line size.
 */
import { ceilToStep, roundMoney } from '../../lib/precision.js';
import type { OrderRecord } from '../core/state.js';
import type { GridCore } from './core.js';
import { MAX_REJECTS } from './state.js';

/** Posts line i's order if it wants one and has none. */
export function syncLine(g: GridCore, i: number): void {
  const { ctx, st } = g;
  const ln = st.lines[i];
  if (ln === undefined || ln.side === 'none' || ln.seq !== 0 || ln.rejects >= MAX_REJECTS) return;
  if (ln.side === 'buy' && ctx.s.risk !== 'active') return;
  let price = st.prices[i]!;
  if (ln.side === 'sell' && g.p.profit_spread !== undefined && ln.amount > 0) {
    const floor = (ln.cost / ln.amount) * (1 + g.p.profit_spread / 100);
    if (floor > price) price = floor;
  }
  const seq = ctx.place(g.owner, ln.side === 'buy' ? 'grid-buy' : 'grid-sell', i, ln.side, 'limit', price, ln.amount);
  if (seq !== 0) {
    ln.seq = seq;
    ln.note = '';
    return;
  }
  if (ln.note !== ctx.lastSkip) {
    ln.note = ctx.lastSkip;
    ctx.emit({
      type: 'order_skipped', side: ln.side, price, amount: ln.amount, reason: ctx.lastSkip,
      message: `Grid line ${i + 1} (${ln.side} at ${price}) is left empty: ${ctx.lastSkipDetail}.`,
    });
  }
}

/** A buy at line i is done: its base goes up for sale one line higher. */
export function onBuyDone(g: GridCore, o: OrderRecord): void {
  const { ctx, st } = g;
  const r = ctx.rules;
  const i = o.ref;
  const ln = st.lines[i]!;
  if (ln.side === 'buy') {
    ln.side = 'none';
    ln.amount = 0;
  }
  const bought = o.filled - o.feeBase;
  const spent = o.cost + o.feeQuote;
  if (bought <= 0) return;
  const j = Math.min(i + 1, st.lines.length - 1);
  const up = st.lines[j]!;
  let sellAmt = bought;
  if (g.p.mode === 'earn_base') {
    const needed = ceilToStep(spent / (st.prices[j]! * (1 - r.makerFee)), r.stepSize);
    if (needed < bought) {
      sellAmt = needed;
      st.profitBase = roundMoney(st.profitBase + (bought - needed), 12);
    }
  }
  if (up.side === 'buy') {
    if (up.seq !== 0) ctx.cancel(up.seq, 'grid rebalance');
    up.seq = 0;
    up.side = 'sell';
    up.amount = 0;
    up.cost = 0;
  } else if (up.side === 'none') {
    up.side = 'sell';
    up.amount = 0;
    up.cost = 0;
  }
  up.amount = roundMoney(up.amount + sellAmt, 12);
  up.cost += spent;
  up.rejects = 0;
  up.note = '';
  syncLine(g, j);
}

/** A sell at line i is done: the cycle's profit is booked and a buy goes one line lower. */
export function onSellDone(g: GridCore, o: OrderRecord): void {
  const { ctx, st } = g;
  const i = o.ref;
  const ln = st.lines[i]!;
  const sold = o.filled + o.feeBase;
  const proceeds = o.cost - o.feeQuote;
  let basis = 0;
  if (ln.side === 'sell' && ln.amount > 0) {
    const part = Math.min(1, sold / ln.amount);
    basis = ln.cost * part;
    ln.amount = roundMoney(ln.amount - sold, 12);
    ln.cost -= basis;
    if (ln.amount < ctx.minAmountAt(st.prices[i]!)) {
      // What is left is dust: this cycle carries its cost (the profit stays conservative).
      basis += ln.cost;
      ln.side = 'none';
      ln.amount = 0;
      ln.cost = 0;
    }
  } else basis = sold * st.initCost;
  const profit = roundMoney(proceeds - basis);
  st.cycles++;
  st.profit = roundMoney(st.profit + profit);
  ctx.s.realised = roundMoney(ctx.s.realised + profit);
  ctx.emit({
    type: 'grid_cycle', seq: o.seq, side: 'sell', price: o.cost / o.filled, amount: o.filled, fee: o.feeQuote, feeCurrency: ctx.rules.quote, profit,
    message: `Grid cycle ${st.cycles} completed at ${roundMoney(o.cost / o.filled, 8)}: profit ${roundMoney(profit, 4)} ${ctx.rules.quote}.`,
  });
  if (ln.side === 'sell') syncLine(g, i);
  const j = Math.max(i - 1, 0);
  const down = st.lines[j]!;
  if (down.side === 'sell') return; // holding base there already (abnormal after partial fills): keep the quote free
  let amt = st.qty;
  if (g.p.mode === 'compound') amt = Math.max(st.qty, proceeds / st.prices[j]!);
  if (down.side === 'buy') {
    if (amt <= down.amount) return;
    if (down.seq !== 0) return; // the live buy stays as it is
  }
  down.side = 'buy';
  down.amount = amt;
  down.rejects = 0;
  down.note = '';
  syncLine(g, j);
}
