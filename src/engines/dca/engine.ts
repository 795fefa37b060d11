/** The DCA bot: createDcaEngine(config, rules, snapshot?). Its budget is dcaBudget(config, rules). */
import type { MarketRules } from '../../exchange/types.js';
import { roundMoney } from '../../lib/precision.js';
import { ConfigError } from '../config/errors.js';
import { EngineShell, restoreState } from '../core/shell.js';
import type { CoreState } from '../core/state.js';
import { initialCore } from '../core/state.js';
import type { Engine, EngineSnapshot } from '../types.js';
import type { DcaConfig } from './config.js';
import { checkDca, dcaBudget } from './config.js';
import { DcaCore } from './core.js';
import type { DcaState } from './state.js';
import { initialDcaState } from './state.js';

export const DCA_STATE_VERSION = 1;

export interface DcaRoot {
  core: CoreState;
  dca: DcaState;
}

export function createDcaEngine(config: DcaConfig, rules: MarketRules, snapshot?: EngineSnapshot): Engine {
  const problem = checkDca(config, rules);
  if (problem !== null) throw new ConfigError(problem);
  const root: DcaRoot = snapshot
    ? restoreState<DcaRoot>(snapshot, 'dca', DCA_STATE_VERSION)
    : { core: initialCore(dcaBudget(config, rules), 0), dca: initialDcaState() };
  const ctx = EngineShell.ctxFor(root, rules);
  const dca = new DcaCore(ctx, root.dca, config);
  ctx.register('dca', dca);
  return new EngineShell('dca', DCA_STATE_VERSION, root, ctx, {
    onPrice: (ev) => dca.onPrice(ev),
    onControl: (ev) => {
      if (ev.command === 'halt') ctx.emit({ type: 'halted', reason: ev.reason ?? 'risk', message: `Trading halted${ev.reason ? `: ${ev.reason}` : ''}; closing the deal${ev.flatten ? ' and selling the base' : ''}.` });
      else if (ev.command === 'reduce') ctx.emit({ type: 'reducing', reason: ev.reason ?? 'risk', message: `Reducing exposure${ev.reason ? `: ${ev.reason}` : ''}; no new deals or safety orders.` });
      else ctx.emit({ type: 'resumed', message: 'Trading resumed.' });
      dca.onControl(ev);
    },
    computeWake: (w) => dca.computeWake(w),
    phase: () => (root.dca.phase === 'open' ? 'in_deal' : root.dca.phase),
  });
}

export function describeDca(c: DcaConfig, rules: MarketRules): string {
  const q = rules.quote;
  const parts = [
    `DCA ${rules.symbol}: base order ${c.base_order} ${q}`,
    c.max_safety_orders > 0 ? `${c.max_safety_orders} safety orders of ${c.safety_order} ${q} from -${c.deviation}% (step x${c.step_scale}, volume x${c.volume_scale}, ${c.active_safety_orders} at once)` : 'no safety orders',
    c.trailing ? `take-profit ${c.take_profit}% trailing ${c.trailing_deviation}%` : `take-profit ${c.take_profit}%`,
  ];
  if (c.stop_loss !== undefined) parts.push(`stop-loss ${c.stop_loss}%${c.breakeven !== undefined ? ` (break-even after +${c.breakeven}%)` : ''}`);
  if (c.cooldown > 0) parts.push(`cooldown ${roundMoney(c.cooldown / 60_000, 1)} min`);
  if (c.max_deals > 0) parts.push(`${c.max_deals} deals max`);
  parts.push(`needs up to ${dcaBudget(c, rules)} ${q}`);
  return parts.join(', ');
}
