import { UserInputError } from '../errors.js';
import type { MarketRules } from '../../exchange/types.js';

/** Accepts BTC/USDT, btc/usdt, BTCUSDT, BTC-USDT; answers one sentence for an unknown market. */
export function resolveSymbol(input: string, markets: ReadonlyMap<string, MarketRules>): MarketRules {
  const raw = input.trim().toUpperCase().replace('-', '/');
  const direct = markets.get(raw);
  if (direct) return direct;
  const compact = raw.replace('/', '');
  for (const m of markets.values()) if (m.id.toUpperCase() === compact) return m;
  const sample = [...markets.keys()].slice(0, 6).join(', ');
  throw new UserInputError(`Unknown market "${input}". Use a symbol such as BTC/USDT or BTCUSDT (known here: ${sample}${markets.size > 6 ? ', …' : ''}).`);
}
