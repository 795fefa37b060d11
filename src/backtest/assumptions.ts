/** The simulation's assumptions, stated in every result. */
import { roundMoney } from '../lib/precision.js';
import type { MarketRules, Timeframe } from '../exchange/types.js';
import type { SimExchangeOptions } from './sim-exchange.js';

const pct = (x: number): string => `${roundMoney(x * 100, 4)}%`;

export function assumptionsFor(rules: MarketRules, tf: Timeframe, sim: SimExchangeOptions, funds: { quote: number; base: number }): string[] {
  const r = rules;
  const held = `${roundMoney(funds.quote, 2)} ${r.quote}${funds.base > 0 ? ` + ${funds.base} ${r.base}` : ''}`;
  return [
    `Candles of ${tf}; inside a candle the price goes open → high → low → close when it closed down, open → low → high → close otherwise.`,
    sim.pessimistic
      ? 'Limit orders fill at their own price only when the price goes at least one tick beyond them (pessimistic mode).'
      : 'Limit orders fill at their own price only when the price trades through them (touching is not enough).',
    `Orders placed during a candle rest from the next candle on; market orders fill at the candle's close with ${pct(sim.slippage)} slippage.`,
    `Fees on every fill: maker ${pct(r.makerFee)}, taker ${pct(r.takerFee)} (buys pay in ${r.base}, sells in ${r.quote}).`,
    `Exchange rules apply as in live trading: price tick ${r.tickSize}, amount step ${r.stepSize}, minimum order ${r.minNotional} ${r.quote}.`,
    sim.volumeShare === null
      ? 'Partial fills off: an order the price trades through fills completely.'
      : `Partial fills on: at most ${pct(sim.volumeShare)} of a candle's volume fills per candle.`,
    'A stop-loss is checked before a take-profit when both are reached in one candle; a take-profit order resting on the book fills as the paper exchange fills it, before the strategy sees the candle.',
    `The account holds exactly the strategy's budget (${held}); no account-wide risk limits.`,
    'What is still held at the end is valued at the last close, not sold.',
    `Buy-and-hold: all funds into ${r.base} at the first open (one taker fee), valued at the last close.`,
  ];
}
