/**
 * Fault tests: over 500+ injected faults across reads and writes (random, seeded), the live adapter
 * creates no duplicate order (counted on the emulator), settles every unknown outcome, and backs
 * off within bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/dev/binance-emulator/faults.js';
import { backoffBounds, type BackoffPolicy } from '../../src/exchange/ccxt/backoff.js';
import { RequestBudget } from '../../src/exchange/ccxt/request-budget.js';
import { mulberry32 } from '../../src/exchange/market-data/synthetic.js';
import { ExchangeError, type Order } from '../../src/exchange/types.js';
import { systemClock } from '../../src/lib/clock.js';
import { startLive, type LiveHarness } from './support/harness.js';

const BTC = 'BTC/USDT';
const TARGET_FAULTS = 520;
const WORKERS = 12;
const POLICY: BackoffPolicy = { attempts: 12, baseMs: 5, maxMs: 20, maxRetryAfterMs: 1_000 };

const http = (status: number, extra: Partial<Extract<FaultRule, { kind: 'http' }>> = {}): FaultRule => ({ kind: 'http', status, ...extra });
const READ_BASE: FaultRule[] = [
  http(500, { code: -1000, msg: 'An unknown error occurred while processing the request.' }),
  http(502),
  http(503),
  http(504),
  http(429, { code: -1003, msg: 'Too much request weight used', retryAfterSec: 0.03 }),
  http(418, { code: -1003, msg: 'Way too much request weight used; IP banned', retryAfterSec: 0.05 }),
  http(400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }),
  { kind: 'non_json' },
  { kind: 'reset' },
  { kind: 'hang' },
];
const READ_FAULTS = READ_BASE.map((f): FaultRule => ({ ...f, method: 'GET' }));
const WRITE_BASE: FaultRule[] = [
  { kind: 'reset', processed: true },
  { kind: 'reset', processed: false },
  { kind: 'hang', processed: true },
  { kind: 'hang', processed: false },
  { kind: 'non_json', processed: true },
  { kind: 'non_json', processed: false },
  http(500, { code: -1000, msg: 'An unknown error occurred while processing the request.', processed: true }),
  http(503, { processed: false }),
  http(503, { processed: true }),
  http(504, { processed: true }),
  http(429, { code: -1003, msg: 'Too much request weight used', retryAfterSec: 0.03 }),
  http(400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }),
  { kind: 'delay', ms: 200 },
];
const WRITE_FAULTS = WRITE_BASE.flatMap((f): FaultRule[] => [
  { ...f, method: 'POST', path: '/api/v3/order' },
  { ...f, method: 'DELETE', path: '/api/v3/order' },
]);

type Outcome = { cid: string; order: Order | null; error: ExchangeError | null };

describe('live adapter under 500+ injected faults', () => {
  let h: LiveHarness;
  const sleeps: { requested: number; actual: number }[] = [];
  const outcomes: Outcome[] = [];
  const readErrors: unknown[] = [];
  const cancelErrors: { cid: string; error: unknown }[] = [];
  let cancels = 0;

  beforeAll(async () => {
    const sleep = async (ms: number) => {
      const t = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      sleeps.push({ requested: ms, actual: performance.now() - t });
    };
    h = await startLive(
      { balances: { USDT: 1_000_000_000, BTC: 1_000_000 } },
      {},
      {
        timeoutMs: 150,
        recvWindowMs: 300,
        settleMarginMs: 30,
        writeAttempts: 4,
        backoff: POLICY,
        sleep,
        random: mulberry32(99),
        budget: new RequestBudget({ capacity: 1e9, refillPerSecond: 1e9, clock: systemClock, sleep }),
      },
    );
    await h.price(BTC, 30_000);
    await h.adapter.loadMarkets();
    h.emulator.faults.setRandom({ rate: 0.3, menu: [...READ_FAULTS, ...WRITE_FAULTS], random: mulberry32(7) });
    const since = Date.now();
    const worker = async (w: number) => {
      for (let i = 0; h.emulator.faults.injected.length < TARGET_FAULTS; i++) {
        const cid = `w${w}-${i}`;
        const market = i % 5 === 4;
        const outcome: Outcome = { cid, order: null, error: null };
        try {
          outcome.order = await h.adapter.createOrder(
            market ? { clientOrderId: cid, symbol: BTC, side: 'buy', type: 'market', amount: 0.001 } : { clientOrderId: cid, symbol: BTC, side: 'buy', type: 'limit', amount: 0.001, price: 29_000 - i },
          );
        } catch (err) {
          outcome.error = err as ExchangeError;
        }
        outcomes.push(outcome);
        const reads = [
          () => h.adapter.fetchOrder(BTC, cid),
          () => h.adapter.fetchOpenOrders(BTC),
          () => h.adapter.fetchBalance(),
          () => h.adapter.fetchMyTrades(BTC, since),
          () => h.adapter.fetchTicker(BTC),
        ];
        await reads[i % reads.length]!().catch((e: unknown) => readErrors.push(e));
        if (outcome.order && !market && i % 2 === 0) {
          cancels++;
          const c = await h.adapter.cancelOrder(BTC, cid).catch((e: unknown) => e);
          if (!(c instanceof ExchangeError)) expect(c).toMatchObject({ clientOrderId: cid, status: 'canceled' });
          else cancelErrors.push({ cid, error: c });
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    h.emulator.faults.clear();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('injected at least 500 faults, across reads and writes, of every kind', () => {
    const injected = h.emulator.faults.injected;
    expect(injected.length).toBeGreaterThanOrEqual(500);
    const reads = injected.filter((f) => f.method === 'GET').length;
    const writes = injected.length - reads;
    expect(reads).toBeGreaterThan(100);
    expect(writes).toBeGreaterThan(100);
    const counts = h.emulator.faults.counts();
    for (const label of ['http429', 'http418', 'http500', 'http503', 'reset', 'reset+processed', 'hang', 'hang+processed', 'non_json', 'non_json+processed', 'delay']) {
      expect(counts[label] ?? 0, label).toBeGreaterThan(0);
    }
    const byEndpoint: Record<string, number> = {};
    for (const f of injected) byEndpoint[`${f.method} ${f.path}`] = (byEndpoint[`${f.method} ${f.path}`] ?? 0) + 1;
    const unknown = h.events.filter((e) => e.type === 'unknown_outcome').length;
    const settled = h.events.filter((e) => e.type === 'settled');
    console.log(
      JSON.stringify({
        faults: injected.length,
        reads,
        writes,
        byKind: counts,
        byEndpoint,
        orders: outcomes.length,
        cancels,
        unknownOutcomes: unknown,
        settledFound: settled.filter((e) => (e as { found: boolean }).found).length,
        settledAbsent: settled.filter((e) => !(e as { found: boolean }).found).length,
        resends: h.events.filter((e) => e.type === 'resend').length,
        retries: h.events.filter((e) => e.type === 'retry').length,
        resyncs: h.events.filter((e) => e.type === 'resync').length,
        createErrors: outcomes.filter((o) => o.error).map((o) => `${o.error!.kind}:${o.error!.reason}`),
        readErrors: readErrors.length,
        cancelErrors: cancelErrors.map((c) => `${(c.error as ExchangeError).kind}:${(c.error as ExchangeError).reason}`),
      }),
    );
  });

  it('created no duplicate order: at most one order per client order id on the exchange', () => {
    const byCid = new Map<string, number>();
    for (const o of h.emulator.state.allOrders()) byCid.set(o.clientOrderId, (byCid.get(o.clientOrderId) ?? 0) + 1);
    const duplicates = [...byCid].filter(([, n]) => n > 1);
    expect(duplicates).toEqual([]);
    expect(h.emulator.state.allOrders().length).toBe(byCid.size);
  });

  it('reported every order truthfully: returned orders exist once, failed ones do not exist', () => {
    const all = h.emulator.state.allOrders();
    for (const o of outcomes) {
      const onExchange = all.filter((x) => x.clientOrderId === o.cid);
      if (o.order) {
        expect(onExchange.map((x) => String(x.orderId)), o.cid).toEqual([o.order.id]);
      } else {
        expect(o.error?.kind, `${o.cid}: ${o.error?.message}`).toBe('retryable');
        expect(onExchange, o.cid).toHaveLength(0);
      }
    }
    expect(outcomes.filter((o) => o.order).length).toBeGreaterThan(outcomes.length * 0.9);
  });

  it('settled every unknown outcome', () => {
    const unknown = h.events.filter((e) => e.type === 'unknown_outcome');
    expect(unknown.length).toBeGreaterThan(50);
    expect(h.events.filter((e) => e.type === 'settled')).toHaveLength(unknown.length);
    expect(h.events.filter((e) => e.type === 'unsettled')).toEqual([]);
    expect(outcomes.filter((o) => o.error?.kind === 'unknown_outcome')).toEqual([]);
  });

  it('backed off within bounds, and honoured Retry-After', () => {
    const retries = h.events.filter((e) => e.type === 'retry');
    expect(retries.length).toBeGreaterThan(100);
    for (const r of retries) {
      const b = backoffBounds(r.attempt, POLICY, r.retryAfterMs);
      expect(r.delayMs, JSON.stringify(r)).toBeGreaterThanOrEqual(b.min);
      expect(r.delayMs, JSON.stringify(r)).toBeLessThanOrEqual(b.max);
    }
    expect(retries.filter((r) => r.retryAfterMs !== undefined).every((r) => r.delayMs >= r.retryAfterMs!)).toBe(true);
    expect(retries.some((r) => r.retryAfterMs === 50)).toBe(true);
    for (const s of sleeps) expect(s.actual).toBeGreaterThanOrEqual(s.requested - 1);
    // No read gave up: 12 attempts at a 30 % fault rate.
    expect(readErrors).toEqual([]);
  });

  it('ended every cancel confirmed, or with a retryable error for a cancel still unconfirmed', async () => {
    for (const { cid, error } of cancelErrors) {
      expect(error, cid).toBeInstanceOf(ExchangeError);
      expect((error as ExchangeError).kind, `${cid}: ${(error as ExchangeError).message}`).toBe('retryable');
      // Without faults, the caller's later retry settles it.
      expect(await h.adapter.cancelOrder(BTC, cid)).toMatchObject({ clientOrderId: cid, status: 'canceled' });
    }
    const open = await h.adapter.fetchOpenOrders(BTC);
    const limitsLeftOpen = outcomes.filter((o) => o.order && o.order.type === 'limit' && Number(o.cid.split('-')[1]) % 2 === 1);
    expect(open.length).toBe(limitsLeftOpen.length);
  });
});
