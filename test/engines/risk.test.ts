/**
 * The risk gate: local day boundaries, the day's P&L from fills and marks, state transitions,
 * intent filtering, and the control command an engine turns into cancel / flatten intents.
 */
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/engines/config/errors.js';
import { gridSchema } from '../../src/engines/grid/config.js';
import { createGridEngine } from '../../src/engines/grid/engine.js';
import { riskSchema, type RiskLimitsInput } from '../../src/engines/risk/config.js';
import { startOfLocalDay, startOfNextLocalDay } from '../../src/engines/risk/day.js';
import { applyRiskControl, checkIntent, evaluateRisk, filterIntents, resetRisk, type RiskInput, type RiskState } from '../../src/engines/risk/gate.js';
import { dailyPnl, type RiskFill } from '../../src/engines/risk/pnl.js';
import type { PlaceIntent } from '../../src/engines/types.js';
import { cancels, Driver, one, places } from './helpers/driver.js';
import { XYZ } from './helpers/rules.js';

const T = (iso: string): number => Date.parse(iso);
const limits = (over: RiskLimitsInput = {}) => riskSchema.parse(over);

describe('start of the local day', () => {
  it.each([
    ['2024-06-01T12:00:00Z', 'UTC', '2024-06-01T00:00:00Z'],
    ['2024-06-01T00:00:00Z', 'UTC', '2024-06-01T00:00:00Z'],
    ['2024-05-31T23:59:59Z', 'UTC', '2024-05-31T00:00:00Z'],
    ['2024-03-31T12:00:00Z', 'Europe/Berlin', '2024-03-30T23:00:00Z'], // spring forward: a 23 h day
    ['2024-10-27T20:00:00Z', 'Europe/Berlin', '2024-10-26T22:00:00Z'], // fall back: a 25 h day
    ['2024-03-10T15:00:00Z', 'America/New_York', '2024-03-10T05:00:00Z'],
    ['2024-06-01T05:00:00Z', 'Asia/Kolkata', '2024-05-31T18:30:00Z'], // half-hour offset
    ['2024-09-08T12:00:00Z', 'America/Santiago', '2024-09-08T04:00:00Z'], // midnight skipped: the day starts 01:00
  ])('%s in %s starts at %s', (now, tz, start) => {
    expect(new Date(startOfLocalDay(T(now), tz)).toISOString()).toBe(new Date(T(start)).toISOString());
  });

  it('the next day starts 23 or 25 hours later across DST changes', () => {
    expect(startOfNextLocalDay(T('2024-03-31T12:00:00Z'), 'Europe/Berlin') - startOfLocalDay(T('2024-03-31T12:00:00Z'), 'Europe/Berlin')).toBe(23 * 3_600_000);
    expect(startOfNextLocalDay(T('2024-10-27T12:00:00Z'), 'Europe/Berlin') - startOfLocalDay(T('2024-10-27T12:00:00Z'), 'Europe/Berlin')).toBe(25 * 3_600_000);
  });
});

describe('daily P&L from fills and marks', () => {
  const day = T('2024-06-01T00:00:00Z');
  const now = T('2024-06-01T15:00:00Z');
  const f = (side: 'buy' | 'sell', price: number, amount: number, fee: number, feeCurrency: string, time = T('2024-06-01T10:00:00Z')): RiskFill => ({ symbol: 'BTC/USDT', side, price, amount, fee, feeCurrency, time });

  it('marks a position held since yesterday', () => {
    expect(dailyPnl([], { 'BTC/USDT': 2 }, { 'BTC/USDT': { atDayStart: 100, now: 90 } }, day, now).pnl).toBeCloseTo(-20, 9);
  });
  it('counts a buy of today at its cost and mark', () => {
    expect(dailyPnl([f('buy', 100, 1, 0.1, 'USDT')], { 'BTC/USDT': 1 }, { 'BTC/USDT': { atDayStart: 95, now: 90 } }, day, now).pnl).toBeCloseTo(-10.1, 9);
  });
  it('counts a sale: equity 2 x 100 at the start, 1 x 105 + 109.89 now', () => {
    expect(dailyPnl([f('sell', 110, 1, 0.11, 'USDT')], { 'BTC/USDT': 1 }, { 'BTC/USDT': { atDayStart: 100, now: 105 } }, day, now).pnl).toBeCloseTo(14.89, 9);
  });
  it('counts a fee paid in base once, and ignores fills before the day started', () => {
    const fills = [f('buy', 50, 3, 0, 'USDT', T('2024-05-31T22:00:00Z')), f('buy', 100, 1, 0.001, 'BTC')];
    expect(dailyPnl(fills, { 'BTC/USDT': 0.999 }, { 'BTC/USDT': { atDayStart: 100, now: 100 } }, day, now).pnl).toBeCloseTo(-0.1, 9);
  });
});

describe('risk gate states', () => {
  const tz = 'Europe/Berlin';
  const base = (over: Partial<RiskInput['account']> = {}, bot: Partial<RiskInput['bot']> = {}, now = T('2024-06-01T15:00:00Z')): RiskInput => ({
    now,
    bot: { positionValue: 0, openBuyValue: 0, exits: [], ...bot },
    account: { exposure: 0, equity: 1000, fills: [], positions: {}, marks: {}, ...over },
  });
  const losing = (now: number): RiskInput => base({
    fills: [{ symbol: 'BTC/USDT', side: 'buy', price: 100, amount: 1, fee: 0, feeCurrency: 'USDT', time: T('2024-06-01T08:00:00Z') }],
    positions: { 'BTC/USDT': 1 }, marks: { 'BTC/USDT': { atDayStart: 100, now: 40 } },
  }, {}, now);

  it('halts on the daily loss until the next local day, alerting once', () => {
    const L = limits({ daily_loss: 50, time_zone: tz, on_halt: 'flatten' });
    const d1 = evaluateRisk(L, losing(T('2024-06-01T15:00:00Z')));
    expect(d1.state.state).toBe('HALTED');
    expect(d1.dailyPnl).toBeCloseTo(-60, 9);
    expect(d1.control).toEqual({ type: 'control', command: 'halt', flatten: true, reason: d1.state.reason });
    expect(one(d1.events).message).toBe("Trading halted: today's loss of 60 reached the daily limit of 50 (day started 00:00 Europe/Berlin); cancelling orders and selling holdings.");
    expect(new Date(d1.state.until).toISOString()).toBe('2024-06-01T22:00:00.000Z');
    // Later the same day, even with the loss recovered: still halted, and no new alert.
    const d2 = evaluateRisk(L, base({}, {}, T('2024-06-01T20:00:00Z')), d1.state);
    expect(d2.state.state).toBe('HALTED');
    expect(d2.events).toEqual([]);
    expect(d2.control).toBeNull();
    // The next local day: yesterday's fills fall out of the window; the price held at 40 since midnight.
    const next = losing(T('2024-06-01T22:30:00Z'));
    const d3 = evaluateRisk(L, { ...next, account: { ...next.account, marks: { 'BTC/USDT': { atDayStart: 40, now: 40 } } } }, d2.state);
    expect(d3.state.state).toBe('ACTIVE');
    expect(d3.control?.command).toBe('resume');
  });

  it('halts on the drawdown from peak equity until the owner resets it', () => {
    const L = limits({ max_drawdown: 10 });
    const a = evaluateRisk(L, base({ equity: 1000 }));
    const b = evaluateRisk(L, base({ equity: 950 }), a.state);
    expect(b.state.state).toBe('ACTIVE');
    expect(b.drawdownPct).toBeCloseTo(5, 9);
    const c = evaluateRisk(L, base({ equity: 880 }), b.state);
    expect(c.state.state).toBe('HALTED');
    expect(c.state.breach).toBe('drawdown');
    const later = evaluateRisk(L, base({ equity: 990 }, {}, T('2024-06-05T10:00:00Z')), c.state);
    expect(later.state.state).toBe('HALTED');
    const reset: RiskState = resetRisk(990, T('2024-06-05T10:00:00Z'));
    expect(evaluateRisk(L, base({ equity: 990 }, {}, T('2024-06-05T10:01:00Z')), reset).state.state).toBe('ACTIVE');
  });

  it('reduces after N stop-losses in a row, for the cooldown', () => {
    const L = limits({ sl_streak: 3, sl_cooldown: '1h' });
    const t = T('2024-06-01T12:00:00Z');
    const exits = [{ time: t - 9e6, reason: 'take_profit' }, { time: t - 6e6, reason: 'stop_loss' }, { time: t - 3e6, reason: 'stop_loss' }, { time: t, reason: 'stop_loss' }];
    const r = evaluateRisk(L, base({}, { exits }, t + 60_000));
    expect(r.state.state).toBe('REDUCING');
    expect(r.control?.command).toBe('reduce');
    expect(r.slStreak).toBe(3);
    const after = evaluateRisk(L, base({}, { exits }, t + 3_600_001), r.state);
    expect(after.state.state).toBe('ACTIVE');
    expect(after.control?.command).toBe('resume');
    const broken = [{ time: 1, reason: 'stop_loss' }, { time: 2, reason: 'stop_loss' }, { time: 3, reason: 'take_profit' }, { time: t, reason: 'stop_loss' }];
    expect(evaluateRisk(L, base({}, { exits: broken }, t + 60_000)).state.state).toBe('ACTIVE');
  });

  it('reduces while a position or exposure is above its limit', () => {
    const L = limits({ max_position: 500, max_exposure: 800, account_max_exposure: 2000 });
    expect(evaluateRisk(L, base({}, { positionValue: 600 })).state.breach).toBe('position');
    expect(evaluateRisk(L, base({}, { positionValue: 400, openBuyValue: 500 })).state.breach).toBe('exposure');
    expect(evaluateRisk(L, base({ exposure: 2500 })).state.breach).toBe('account_exposure');
    expect(evaluateRisk(L, base({}, { positionValue: 400 })).state.state).toBe('ACTIVE');
  });
});

describe('intent filter', () => {
  const buy = (seq: number, amount: number, price?: number): PlaceIntent => ({ kind: 'place', seq, side: 'buy', type: price ? 'limit' : 'market', amount, tag: 'x', ...(price ? { price } : {}) });
  const sell = (tag: string): PlaceIntent => ({ kind: 'place', seq: 9, side: 'sell', type: 'market', amount: 1, tag });
  const x = { price: 100, positionValue: 0, openBuyValue: 0, accountExposure: 0 };
  const L = limits({ max_exposure: 500 });

  it('REDUCING lets sells and cancels through, not buys; HALTED only the engine flatten sells', () => {
    expect(checkIntent(L, 'REDUCING', buy(1, 1, 100), x).allowed).toBe(false);
    expect(checkIntent(L, 'REDUCING', sell('grid-sell'), x).allowed).toBe(true);
    expect(checkIntent(L, 'HALTED', sell('grid-sell'), x).allowed).toBe(false);
    expect(checkIntent(L, 'HALTED', sell('grid-flatten'), x).allowed).toBe(true);
    expect(checkIntent(L, 'HALTED', { kind: 'cancel', seq: 3, reason: 'r' }, x).allowed).toBe(true);
  });

  it('counts the buys of a batch against the exposure limit', () => {
    const r = filterIntents(L, 'ACTIVE', [buy(1, 2, 100), buy(2, 2, 100), buy(3, 2)], x);
    expect(r.allowed.map((i) => i.seq)).toEqual([1, 2]);
    expect(one(r.blocked).reason).toBe("the buy would raise the bot's exposure to 600, above max_exposure=500");
  });
});

describe('gate and engine together', () => {
  it('a halt becomes the engine cancel intents, then its flatten sale, which the gate lets through', () => {
    const d = new Driver(createGridEngine(gridSchema.parse({ lower: 90, upper: 110, lines: 5, investment: 1000 }), XYZ));
    const init = one(places(d.at(100)));
    const posted = places(d.fillAll(init, { price: 100 }));
    d.ackAll({ intents: posted, events: [] });
    const L = limits({ daily_loss: 10, on_halt: 'flatten' });
    const decision = evaluateRisk(L, {
      now: d.now,
      bot: { positionValue: 500, openBuyValue: 400, exits: [] },
      account: { exposure: 900, equity: 900, fills: [], positions: { 'XYZ/USDT': 5 }, marks: { 'XYZ/USDT': { atDayStart: 104, now: 100 } } },
    });
    expect(decision.state.state).toBe('HALTED');
    const out = applyRiskControl(d.engine, decision, d.now)!;
    expect(cancels(out).map((c) => c.seq).sort((a, b) => a - b)).toEqual(posted.map((p) => p.seq).sort((a, b) => a - b));
    const sale = one(places(d.confirmCancels(out)));
    expect(sale).toMatchObject({ side: 'sell', type: 'market', tag: 'grid-flatten' });
    expect(checkIntent(L, 'HALTED', sale, { price: 100, positionValue: 500, openBuyValue: 0, accountExposure: 500 }).allowed).toBe(true);
  });
});

describe('risk settings', () => {
  const err = (input: object): string => {
    const r = riskSchema.safeParse(input);
    return r.success ? 'valid' : formatConfigError(r.error);
  };
  it('explains bad limits in one sentence', () => {
    expect(err({ time_zone: 'Mars/Olympus' })).toBe('time_zone=Mars/Olympus is not a known time zone (use an IANA name such as Europe/Berlin).');
    expect(err({ max_position: 2000, max_exposure: 1000 })).toBe('max_position=2000 must not exceed max_exposure=1000.');
    expect(err({ max_drawdown: 150 })).toBe('max_drawdown=150 is above the maximum of 100%.');
    expect(err({ daily_loss: '-5' })).toBe('daily_loss=-5 must be above 0.');
    expect(err({ sl_streak: 3, sl_cooldown: '90m', time_zone: 'Asia/Tokyo' })).toBe('valid');
  });
});
