/**
 * Backtest-live parity: the same engine over the same real candles, once in the backtester (which
 * skips the candles that cannot change anything) and once in the real PaperExchange's candle
 * replay (every candle, through the exchange port), must make the same fills.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, parseStrategyConfig, strategies, type StrategyEntry } from '../../src/engines/registry.js';
import type { StrategyName } from '../../src/engines/types.js';
import { simulate } from '../../src/backtest/simulator.js';
import { FILES, rulesOf, window } from './helpers/data.js';
import { paperReplay } from './helpers/paper-replay.js';

const BTC = rulesOf('BTC/USDT');

function build(strategy: StrategyName, config: Record<string, unknown>, price: number) {
  const parsed = parseStrategyConfig(strategy, config);
  if (!parsed.ok) throw new Error(parsed.error);
  const funds = (strategies[strategy] as StrategyEntry<unknown>).budget(parsed.value, BTC);
  const mk = () => {
    const e = createEngine(strategy, config, BTC, { price });
    if (!e.ok) throw new Error(e.error);
    return e.value;
  };
  return { funds, mk };
}

const CASES: { name: string; strategy: StrategyName; config: Record<string, unknown>; from: string; to: string; pessimistic?: boolean; slippage?: number; partial?: number }[] = [
  // The 19 May 2021 crash day and around it: deals, safety orders, take-profits.
  { name: 'dca through the May 2021 crash', strategy: 'dca', from: '2021-05-18', to: '2021-05-21', config: { base_order: 50, safety_order: 50, max_safety_orders: 5, active_safety_orders: 2, deviation: 1.5, step_scale: 1.3, volume_scale: 1.5, take_profit: 1.5, cooldown: '15m' } },
  { name: 'dca with trailing take-profit and stop-loss', strategy: 'dca', from: '2021-05-10', to: '2021-05-14', config: { base_order: 100, safety_order: 100, max_safety_orders: 3, deviation: 2, take_profit: 1, trailing: true, trailing_deviation: 0.3, stop_loss: 12, cooldown: '5m' } },
  { name: 'grid with a stop-loss hit in the crash', strategy: 'grid', from: '2021-05-17', to: '2021-05-20', config: { lower: 40000, upper: 46000, lines: 15, investment: 2000, stop_loss: 38000 } },
  { name: 'grid with partial fills (0.01 % of each candle\'s volume)', strategy: 'grid', from: '2021-05-24', to: '2021-05-27', partial: 0.0001, config: { lower: 30000, upper: 42000, lines: 10, investment: 20000 } },
  { name: 'grid, pessimistic fills and no slippage', strategy: 'grid', from: '2021-05-01', to: '2021-05-04', pessimistic: true, slippage: 0, config: { lower: 54000, upper: 60000, lines: 12, investment: 1500 } },
];

describe('backtest-live parity (same engine, same candles, same fills)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const cols = await window(FILES.btc2021may1m, c.from, c.to);
      const { funds, mk } = build(c.strategy, c.config, cols.open[0]!);
      const slippage = c.slippage ?? 0.0005;
      const sim = simulate({
        engine: mk(), rules: BTC, cols, start: 0, end: cols.length, tfMs: 60_000, funds,
        exchange: { slippage, pessimistic: c.pessimistic ?? false, volumeShare: c.partial ?? null }, sampleMs: 3_600_000, keepFills: true,
      });
      const ref = await paperReplay({ engine: mk(), rules: BTC, cols, timeframe: '1m', funds, slippage, pessimistic: c.pessimistic ?? false, volumeShare: c.partial ?? null });
      const simFills = sim.fills.map((f) => ({ seq: f.seq, side: f.side, price: f.price, amount: f.amount, fee: f.fee, feeCurrency: f.feeCurrency, time: f.time }));
      expect(ref.fills.length).toBeGreaterThan(5); // the case trades
      expect(simFills).toEqual(ref.fills);
      expect(sim.finalQuote).toBeCloseTo(ref.quote, 8);
      expect(sim.finalBase).toBeCloseTo(ref.base, 8);
      // ... while the backtester looked at a small share of the candles.
      expect(sim.wakes).toBeLessThan(cols.length / 2);
      if (c.partial) {
        // Some orders did fill in several parts.
        const parts = new Map<number, number>();
        for (const f of sim.fills) parts.set(f.seq, (parts.get(f.seq) ?? 0) + 1);
        expect([...parts.values()].some((n) => n > 1)).toBe(true);
      }
    });
  }
});
