import { describe, expect, it } from 'vitest';
import { performanceOf, positionFrom, unrealised } from '../../src/trading/ledger.js';

describe('ledger from fills', () => {
  it('averages entries with fees in base, realises a sell with fees in quote (hand-checked)', () => {
    // Buy 1 BTC at 100 (fee 0.001 BTC), buy 1 BTC at 200 (fee 0.001 BTC) -> hold 1.998 for 300 quote.
    // Sell 1 BTC at 250 (fee 0.25 USDT): proceeds 249.75, cost 1 * 300/1.998 = 150.1501..., profit 99.5998...
    const p = positionFrom(
      [
        { side: 'buy', price: 100, amount: 1, fee: 0.001, feeCurrency: 'BTC', at: 1 },
        { side: 'buy', price: 200, amount: 1, fee: 0.001, feeCurrency: 'BTC', at: 2 },
        { side: 'sell', price: 250, amount: 1, fee: 0.25, feeCurrency: 'USDT', at: 3 },
      ],
      'BTC',
      'USDT',
    );
    expect(p.amount).toBeCloseTo(0.998, 12);
    expect(p.averageEntry).toBeCloseTo(300 / 1.998, 9);
    expect(p.realised).toBeCloseTo(249.75 - 300 / 1.998, 9);
    expect(p.feesQuote).toBeCloseTo(0.1 + 0.2 + 0.25, 12);
    expect(unrealised(p, 300)).toBeCloseTo(0.998 * 300 - 0.998 * (300 / 1.998), 9);
    expect(p.closes).toHaveLength(1);
  });

  it('closes to zero and starts a fresh average after a full exit', () => {
    const p = positionFrom(
      [
        { side: 'buy', price: 10, amount: 2, fee: 0, feeCurrency: 'USDT', at: 1 },
        { side: 'sell', price: 12, amount: 2, fee: 0, feeCurrency: 'USDT', at: 2 },
        { side: 'buy', price: 20, amount: 1, fee: 0, feeCurrency: 'USDT', at: 3 },
      ],
      'ETH',
      'USDT',
    );
    expect(p.realised).toBe(4);
    expect(p.amount).toBe(1);
    expect(p.averageEntry).toBe(20);
  });

  it('computes win rate and profit factor', () => {
    const s = performanceOf([10, -5, 20, -5, 0]);
    expect(s.wins).toBe(2);
    expect(s.losses).toBe(2);
    expect(s.winRate).toBeCloseTo(0.4);
    expect(s.profitFactor).toBe(3);
    expect(s.averageWin).toBe(15);
    expect(s.averageLoss).toBe(5);
    expect(performanceOf([]).profitFactor).toBe(0);
    expect(performanceOf([1]).profitFactor).toBe(Infinity);
  });
});
