/**
 * DCA scenarios. Market XYZ/USDT (tick 0.01, step 0.001, min 5 USDT, fees 0.1 %).
 * Reference config: base order 100 USDT, safety orders 100 USDT x2 per step (volume_scale 2),
 * 3 of them, 2 resting at once, first at -2 %, deviations x1.5 (step_scale): -2 %, -5 %, -9.5 %,
 * take-profit 2 % from the average entry.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError } from '../../src/engines/config/errors.js';
import { checkDca, dcaBudget, dcaSchema, type DcaInput } from '../../src/engines/dca/config.js';
import { createDcaEngine } from '../../src/engines/dca/engine.js';
import type { Engine, EngineSnapshot, PlaceIntent } from '../../src/engines/types.js';
import { cancels, Driver, eventsOf, merge, one, places, types } from './helpers/driver.js';
import { XYZ } from './helpers/rules.js';

const BASE: DcaInput = { base_order: 100, safety_order: 100, max_safety_orders: 3, active_safety_orders: 2, deviation: 2, step_scale: 1.5, volume_scale: 2, take_profit: 2 };
const make = (over: Partial<DcaInput> = {}, snap?: EngineSnapshot): Engine => createDcaEngine(dcaSchema.parse({ ...BASE, ...over }), XYZ, snap);

/** Opens a deal at 100: returns the driver, the safety orders and the take-profit posted. */
function opened(over: Partial<DcaInput> = {}): { d: Driver; sos: PlaceIntent[]; tp: PlaceIntent | undefined } {
  const d = new Driver(make(over));
  const base = one(places(d.at(100)));
  const out = d.fillAll(base, { price: 100 });
  d.ackAll(out);
  const ps = places(out);
  return { d, sos: ps.filter((p) => p.tag === 'dca-so'), tp: ps.find((p) => p.tag === 'dca-tp') };
}

describe('dca deal', () => {
  it('budgets the base order (with slippage) and every safety order (with fees)', () => {
    // 100 * (1 + 0.001 + 0.005) + (100 + 200 + 400) * 1.001
    expect(dcaBudget(dcaSchema.parse(BASE), XYZ)).toBeCloseTo(801.3, 6);
    expect(make().balances().quote).toBeCloseTo(801.3, 6);
  });

  it('opens with a market base order and moves only on its fill', () => {
    const d = new Driver(make());
    const out = d.at(100);
    expect(one(places(out))).toMatchObject({ side: 'buy', type: 'market', amount: 1, tag: 'dca-base' });
    expect(d.engine.phase()).toBe('opening');
    // Acknowledged but not filled: still no deal, no safety order.
    expect(d.ack(places(out)[0]!.seq).intents).toEqual([]);
    expect(d.at(99).intents).toEqual([]);
    expect(types(d.fillAll(places(out)[0]!, { price: 100 }))).toContain('deal_opened');
    expect(d.engine.phase()).toBe('in_deal');
  });

  it('posts the safety orders (deviation x step_scale, volume x volume_scale), two at a time, and the take-profit', () => {
    const { sos, tp } = opened();
    expect(sos.map((s) => [s.price, s.amount])).toEqual([[98, 1.02], [95, 2.105]]);
    // average entry 100 / 0.999 = 100.1001..., * 1.02 = 102.1021... -> 102.11 (up, for a sell)
    expect(tp).toMatchObject({ side: 'sell', type: 'limit', price: 102.11, amount: 0.999 });
  });

  it('after a safety order fills: the next one is posted, and the take-profit is replaced only once its cancel is confirmed', () => {
    const { d, sos, tp } = opened();
    const out = d.fillAll(sos[0]!);
    expect(types(out)).toContain('safety_order_filled');
    expect(one(places(out))).toMatchObject({ tag: 'dca-so', price: 90.5, amount: 4.419 });
    expect(one(cancels(out)).seq).toBe(tp!.seq);
    const newTp = one(places(d.status(tp!.seq, 'canceled', 0)));
    // qty 0.999 + 1.02 * 0.999 = 2.01798, cost 100 + 99.96 = 199.96: avg 99.0892..., * 1.02 = 101.0710... -> 101.08
    expect(newTp).toMatchObject({ side: 'sell', price: 101.08, amount: 2.017 });
  });

  it('closes on the take-profit fill: cancels the rest, books the profit, then waits out the cooldown', () => {
    const { d, sos, tp } = opened({ cooldown: '10m' });
    const out = d.fillAll(tp!);
    expect(types(out)).toEqual(expect.arrayContaining(['take_profit']));
    expect(cancels(out).map((c) => c.seq).sort()).toEqual(sos.map((s) => s.seq).sort());
    const closed = d.confirmCancels(out);
    const deal = one(eventsOf(closed, 'deal_closed'));
    // sold 0.999 at 102.11 less 0.1 %, bought for 100
    expect(deal.profit).toBeCloseTo(0.999 * 102.11 * 0.999 - 100, 6);
    expect(d.engine.phase()).toBe('idle');
    expect(d.at(102).intents).toEqual([]);
    d.now += 10 * 60_000;
    expect(one(places(d.at(102)))).toMatchObject({ tag: 'dca-base' });
  });

  it('trailing take-profit: activates at +take_profit, follows the peak, sells at market after the pullback', () => {
    const { d, tp } = opened({ trailing: true, trailing_deviation: 0.5 });
    expect(tp).toBeUndefined();
    expect(types(d.at(102.2))).toContain('trailing_activated');
    expect(d.at(104).intents).toEqual([]);
    expect(d.at(103.6).intents).toEqual([]); // -0.38 % from 104
    const out = d.at(103.4); // -0.58 %
    expect(one(eventsOf(out, 'take_profit')).reason).toBe('trailing');
    const sale = one(places(d.confirmCancels(out)));
    expect(sale).toMatchObject({ side: 'sell', type: 'market', amount: 0.999, tag: 'dca-close' });
    expect(one(eventsOf(d.fillAll(sale, { price: 103.4 }), 'deal_closed')).reason).toBe('trailing');
  });

  it('stop-loss from the average entry; checked before the take-profit inside one candle', () => {
    const { d } = opened({ stop_loss: 12, max_safety_orders: 1, active_safety_orders: 1 });
    const out = d.candle(100, 103, 88, 95);
    expect(types(out)).toContain('stop_loss');
    const sale = one(places(d.confirmCancels(out)));
    expect(sale).toMatchObject({ side: 'sell', type: 'market', amount: 0.999 });
    expect(one(eventsOf(d.fillAll(sale, { price: 88 }), 'deal_closed')).profit).toBeLessThan(0);
  });

  it('moves the stop-loss to break-even once the price is breakeven% above the entry', () => {
    const { d } = opened({ stop_loss: 12, breakeven: 1, max_safety_orders: 1, active_safety_orders: 1 });
    const be = one(eventsOf(d.at(101.2), 'breakeven'));
    // avg 100.1001 / (1 - 0.001) = 100.2003
    expect(be.price).toBeCloseTo(100.1001001 / 0.999, 5);
    expect(d.at(100.3).intents).toEqual([]);
    const out = d.at(100.1);
    expect(types(out)).toContain('stop_loss');
  });

  it('a partly filled safety order counts: the closing sale sells it too', () => {
    const { d, sos, tp } = opened();
    d.fill(sos[0]!, { amount: 0.5 });
    const out = d.fillAll(tp!);
    const rest = d.confirmCancels(out, 0);
    // SO1 was cancelled after 0.5 filled: report it with its filled amount
    const so1 = cancels(out).find((c) => c.seq === sos[0]!.seq)!;
    const final = d.status(so1.seq, 'canceled', 0.5);
    const sale = [...places(rest), ...places(final)].find((p) => p.tag === 'dca-close');
    expect(sale).toMatchObject({ side: 'sell', type: 'market', amount: 0.499 });
  });

  it('a refused base order leaves no deal; three refusals stop the bot', () => {
    const d = new Driver(make());
    for (let i = 0; i < 3; i++) {
      const base = one(places(d.at(100)));
      d.status(base.seq, 'rejected', 0);
      expect(d.engine.balances().base).toBe(0);
    }
    expect(d.engine.phase()).toBe('stopped');
    expect(d.at(100).intents).toEqual([]);
  });

  it('stops after max_deals deals', () => {
    const { d, tp } = opened({ max_deals: 1 });
    const end = d.confirmCancels(d.fillAll(tp!));
    expect(types(end)).toEqual(expect.arrayContaining(['deal_closed', 'stopped']));
    expect(d.at(100).intents).toEqual([]);
  });

  it('changed settings apply to new deals only', () => {
    const { d, tp } = opened();
    const snap = JSON.parse(JSON.stringify(d.engine.snapshot())) as EngineSnapshot;
    const e2 = new Driver(make({ take_profit: 5 }, snap));
    e2.now = d.now;
    // The open deal keeps its 2 % take-profit...
    const so = d.engine.openOrders().find((o) => o.tag === 'dca-so' && o.price === 98)!;
    const a = merge(e2.fill({ seq: so.seq, side: 'buy', price: 98, amount: so.amount }), e2.status(so.seq, 'filled', so.amount));
    expect(one(cancels(a)).seq).toBe(tp!.seq);
    expect(one(places(e2.status(tp!.seq, 'canceled', 0))).price).toBe(101.08);
  });

  it('a halt during a stop-loss still sells (tagged flatten, the only sale a halt lets through), then stops', () => {
    const { d } = opened({ stop_loss: 12, max_safety_orders: 1, active_safety_orders: 1 });
    const hit = d.at(87);
    expect(types(hit)).toContain('stop_loss');
    const halt = d.feed({ type: 'control', command: 'halt', flatten: false, reason: 'daily loss' });
    expect(places(halt)).toEqual([]);
    const sale = one(places(d.confirmCancels(hit)));
    expect(sale).toMatchObject({ side: 'sell', type: 'market', tag: 'dca-flatten', amount: 0.999 });
    const end = d.fillAll(sale, { price: 87 });
    expect(types(end)).toEqual(expect.arrayContaining(['deal_closed', 'stopped']));
    expect(d.engine.phase()).toBe('stopped');
  });

  it('reduce cancels the safety orders; resume posts them again from where they were', () => {
    const { d, sos } = opened();
    const r = d.feed({ type: 'control', command: 'reduce' });
    expect(cancels(r).map((c) => c.seq).sort()).toEqual(sos.map((s) => s.seq).sort());
    d.confirmCancels(r);
    const back = places(d.feed({ type: 'control', command: 'resume' }));
    expect(back.map((p) => p.price)).toEqual([98, 95]);
  });
});

describe('dca settings', () => {
  const err = (input: object): string => {
    const r = dcaSchema.safeParse({ ...BASE, ...input });
    return r.success ? 'valid' : formatConfigError(r.error);
  };
  it('explains bad settings in one sentence', () => {
    expect(err({ active_safety_orders: 5 })).toBe('active_safety_orders=5 is above max_safety_orders=3.');
    // 30 + 45 + 67.5 + 101.25 + 151.875
    expect(err({ deviation: 30, max_safety_orders: 5, active_safety_orders: 1 })).toBe('safety order 5 would sit 395.63% below the base price: lower deviation, step_scale or max_safety_orders.');
    expect(err({ trailing: true, trailing_deviation: 2 })).toBe('trailing_deviation=2% must be below take_profit=2%, or a trailing exit could sell below the entry.');
    expect(err({ stop_loss: 3 })).toBe('stop_loss=3% would trigger before safety order 2 at -5%: widen stop_loss or tighten the safety orders.');
    expect(err({ cooldown: 'soon' })).toBe('cooldown="soon" is not a duration (use e.g. 45s, 30m, 2h, 1d).');
    expect(err({ take_profit: '1.5%' })).toBe('valid');
  });
  it('checks the market minimums and the fees', () => {
    expect(checkDca(dcaSchema.parse({ ...BASE, base_order: 3 }), XYZ)).toBe('base_order=3 USDT is below the exchange minimum order value of 5 USDT');
    expect(checkDca(dcaSchema.parse({ ...BASE, safety_order: 6, volume_scale: 0.5 }), XYZ)).toBe('safety order 2 would be 3 USDT (volume_scale=0.5), below the exchange minimum order value of 5 USDT');
    expect(checkDca(dcaSchema.parse({ ...BASE, take_profit: 0.15 }), XYZ)).toBe('take_profit=0.15% does not beat the fees of a round trip (0.2%)');
    expect(() => make({ base_order: 3 })).toThrow(ConfigError);
  });
});
