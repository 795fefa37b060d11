/**
 * The hybrid's accumulation below the range: a DCA ladder without take-profit (the grid sells the
 * base once the price is back in range). The first buy is at market, the others rest below.
 */
import { roundMoney } from '../../lib/precision.js';
import type { Ctx, OwnerHooks } from '../core/context.js';
import { restingLevels } from '../core/shell.js';
import type { OrderRecord } from '../core/state.js';
import type { FillEvent, WakeRange } from '../types.js';
import { ladderDeviations, ladderVolumes } from '../dca/ladder.js';

export interface AccParams {
  acc_orders: number;
  acc_deviation: number;
  acc_step_scale: number;
  acc_volume_scale: number;
}

export interface AccState {
  phase: 'idle' | 'running' | 'stopping';
  startPrice: number;
  buys: number;
  /** Quote paid (fees included) for the base bought while accumulating. */
  cost: number;
  bought: number;
}

export function initialAccState(): AccState {
  return { phase: 'idle', startPrice: 0, buys: 0, cost: 0, bought: 0 };
}

export const ACC_OWNER = 'acc';

export class AccCore implements OwnerHooks {
  constructor(
    readonly ctx: Ctx,
    public st: AccState,
    readonly p: AccParams,
  ) {}

  /** Lays the ladder with the free quote (kept back: the market order's fee and slippage). */
  start(price: number): void {
    const { ctx, st, p } = this;
    const r = ctx.rules;
    st.phase = 'running';
    st.startPrice = price;
    st.buys = 0;
    st.cost = 0;
    st.bought = 0;
    const quote = ctx.freeQuote() / (1 + r.takerFee + 0.005);
    const devs = [0, ...ladderDeviations(p.acc_orders - 1, p.acc_deviation, p.acc_step_scale)];
    const shape = ladderVolumes(p.acc_orders, 1, p.acc_volume_scale);
    const sum = shape.reduce((a, b) => a + b, 0);
    let skipped = 0;
    for (let n = 0; n < devs.length; n++) {
      const vol = (quote * shape[n]!) / sum;
      const px = price * (1 - devs[n]! / 100);
      const seq = n === 0 ? ctx.place(ACC_OWNER, 'acc-buy', 1, 'buy', 'market', px, vol / px) : ctx.place(ACC_OWNER, 'acc-buy', n + 1, 'buy', 'limit', px, vol / px);
      if (seq === 0) skipped++;
    }
    ctx.emit({
      type: 'mode_changed', reason: 'accumulate', price,
      message: `Below the range: accumulating with ${devs.length - skipped} buys from ${price} down to ${roundMoney(price * (1 - devs[devs.length - 1]! / 100), 8)}${skipped > 0 ? ` (${skipped} too small, skipped)` : ''}.`,
    });
  }

  onFill(o: OrderRecord, f: FillEvent): void {
    if (o.side !== 'buy') return;
    const r = this.ctx.rules;
    this.st.cost += f.price * f.amount + (f.feeCurrency === r.quote ? f.fee : 0);
    this.st.bought += f.amount - (f.feeCurrency === r.base ? f.fee : 0);
  }

  onDone(o: OrderRecord): void {
    if (o.side === 'buy' && o.filled > this.ctx.tol) this.st.buys++;
    if (this.st.phase === 'stopping' && !this.ctx.hasLive(ACC_OWNER)) this.st.phase = 'idle';
  }

  /** Cancels the ladder; phase becomes idle once nothing is live. */
  stop(reason: string): void {
    const st = this.st;
    if (st.phase !== 'running') return;
    st.phase = 'stopping';
    this.ctx.cancelAll(ACC_OWNER, reason);
    if (!this.ctx.hasLive(ACC_OWNER)) st.phase = 'idle';
  }

  computeWake(w: WakeRange): void {
    if (this.st.phase === 'running') restingLevels(this.ctx, ACC_OWNER, w);
  }
}
