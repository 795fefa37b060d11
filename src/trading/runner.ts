/**
 * Runs one bot: its engine, against the exchange port, with every step committed to the database.
 * Start-up and crash recovery are one code path (`open`): load the last snapshot, settle orders in
 * doubt by client order id, ingest trades since the last one seen, notice what changed by hand,
 * then resume. A tick: settle, ingest, refresh open orders, price -> engine -> risk gate -> write
 * intents -> send -> report back to the engine.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { strategies } from '../engines/registry.js';
import { filterIntents, type TradingState } from '../engines/risk/gate.js';
import type { RiskLimits } from '../engines/risk/config.js';
import type { DomainEvent, Engine, EngineEvent, Intent, PlaceIntent, StrategyName } from '../engines/types.js';
import { ExchangeError, TIMEFRAME_MS, type ExchangePort, type MarketRules, type Order, type Timeframe, type Trade } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { BotRecord } from '../store/bots.js';
import { knownTradeIds } from '../store/fills.js';
import { OrderRepository, type OrderRecord } from '../store/orders.js';
import { alertKindOf, alertText } from './alert-text.js';
import { clientOrderId, parseClientOrderId } from './ids.js';
import { LeaseLostError, type AlertSink, type TickReport } from './types.js';
import { ActiveOrders } from './active-orders.js';
import { UnitOfWork } from './unit-of-work.js';

export interface RunnerDeps {
  prisma: PrismaClient;
  exchange: ExchangePort;
  clock: Clock;
  logger: Logger;
  alerts: AlertSink;
  /** Installation prefix of client order ids. */
  idPrefix: string;
}

/** The account-wide risk view the trading loop computes once per cycle. */
export interface AccountRisk {
  state: TradingState;
  limits: RiskLimits;
  accountExposure: number;
}

/** Orders written but not acknowledged for this long are looked up by client order id. */
const SETTLE_AFTER_MS = 3_000;
/** Overlap when fetching own trades since the last one seen. */
const TRADE_OVERLAP_MS = 60_000;
const MAX_ROUNDS = 6;

export class BotRunner {
  private lastCandleTime = 0;
  private lastPrice = 0;
  private counters = { fills: 0, placed: 0, cancelled: 0, rejected: 0, settled: 0 };

  private constructor(
    readonly bot: BotRecord,
    readonly rules: MarketRules,
    readonly engine: Engine,
    private readonly fence: number,
    private readonly deps: RunnerDeps,
  ) {}

  /** Start-up and recovery: the same path. */
  static async open(bot: BotRecord, fence: number, deps: RunnerDeps): Promise<BotRunner> {
    if (bot.mode !== deps.exchange.mode) {
      throw new ModeMismatchError(`bot ${bot.id} is a ${bot.mode} bot and this process trades ${deps.exchange.mode}: it is not run (its orders would go to the wrong exchange)`);
    }
    const rules = await deps.exchange.market(bot.symbol);
    const entry = strategies[bot.strategy as StrategyName];
    if (!entry) throw new Error(`bot ${bot.id}: unknown strategy ${bot.strategy}`);
    const parsed = entry.schema.safeParse(bot.config);
    if (!parsed.success) throw new Error(`bot ${bot.id}: its stored config no longer validates`);
    const snapshot = bot.engineState ? (bot.engineState as Parameters<typeof entry.create>[2]) : undefined;
    const engine = (entry.create as (c: unknown, r: MarketRules, s?: unknown) => Engine)(parsed.data, rules, snapshot);
    const runner = new BotRunner(bot, rules, engine, fence, deps);
    const uow = new UnitOfWork();
    const active = await runner.activeOrders();
    await runner.settleInDoubt(uow, active, 0);
    await runner.ingestTrades(uow);
    await runner.refreshOpenOrders(uow, active);
    await runner.commitAndExecute(uow, null);
    return runner;
  }

  get botId(): number {
    return this.bot.id;
  }

  private cid(seq: number): string {
    return clientOrderId(this.deps.idPrefix, this.bot.id, seq);
  }

  private now(): number {
    return this.deps.clock.now();
  }

  private chain: Promise<unknown> = Promise.resolve();

  /** Runs one operation at a time on this bot (a tick and an owner's halt never interleave). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** One trading step. `risk` null: no new price is fed (recovery, paused catch-up). */
  tick(risk: AccountRisk | null): Promise<TickReport> {
    return this.exclusive(() => this.doTick(risk));
  }

  private async doTick(risk: AccountRisk | null): Promise<TickReport> {
    const started = Date.now();
    this.counters = { fills: 0, placed: 0, cancelled: 0, rejected: 0, settled: 0 };
    const uow = new UnitOfWork();
    const active = await this.activeOrders();
    await this.settleInDoubt(uow, active, SETTLE_AFTER_MS);
    await this.ingestTrades(uow);
    await this.refreshOpenOrders(uow, active);
    if (risk) await this.feedPrices(uow);
    await this.commitAndExecute(uow, risk);
    return { botId: this.bot.id, ...this.counters, durationMs: Date.now() - started };
  }

  /** Tells the engine to reduce or halt (cancel everything, optionally flatten) and carries it out. */
  control(command: 'reduce' | 'halt' | 'resume', flatten: boolean, reason: string, risk: AccountRisk): Promise<TickReport> {
    return this.exclusive(() => this.doControl(command, flatten, reason, risk));
  }

  private async doControl(command: 'reduce' | 'halt' | 'resume', flatten: boolean, reason: string, risk: AccountRisk): Promise<TickReport> {
    this.counters = { fills: 0, placed: 0, cancelled: 0, rejected: 0, settled: 0 };
    const uow = new UnitOfWork();
    await this.ingestTrades(uow);
    // Orders that filled since the last tick are settled now, so none is left "open" after a halt.
    await this.refreshOpenOrders(uow, await this.activeOrders());
    // The engine values a flatten at the last price it saw: show it the current one first.
    const t = await this.deps.exchange.fetchTicker(this.bot.symbol).catch(() => null);
    if (t) {
      this.lastPrice = t.last;
      this.feed(uow, { type: 'tick', price: t.last, time: t.timestamp });
    }
    this.feed(uow, { type: 'control', command, flatten, reason });
    await this.commitAndExecute(uow, risk);
    return { botId: this.bot.id, ...this.counters, durationMs: 0 };
  }

  // --- engine I/O -------------------------------------------------------------------------------

  private pending: Intent[] = [];
  /** Trade ids this runner knows are stored (committed), bounded. */
  private readonly stored = new Set<string>();

  private remember(tradeId: string): void {
    if (this.stored.size >= 10_000) this.stored.clear();
    this.stored.add(tradeId);
  }
  /** The engine was told something since its state was last committed. */
  private changed = false;

  private feed(uow: UnitOfWork, event: EngineEvent): void {
    this.changed = true;
    const out = this.engine.onEvent(event, this.now());
    for (const it of out.intents) this.pending.push(it);
    for (const e of out.events) this.raise(uow, e);
  }

  private raise(uow: UnitOfWork, e: DomainEvent): void {
    const kind = alertKindOf(e);
    if (kind === null) return;
    uow.alerts.push({
      kind,
      botId: this.bot.id,
      text: alertText(this.bot, kind, e).value,
      ...(e.seq !== undefined ? { dedupeKey: `${this.bot.id}:${e.type}:${e.seq}:${e.time}:${e.amount ?? ''}` } : {}),
    });
  }

  /**
   * Commits what the engine decided (write-ahead), sends it, reports the answers back to the
   * engine, and repeats while the engine has more to say (bounded).
   */
  private async commitAndExecute(uow: UnitOfWork, risk: AccountRisk | null): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const intents = this.pending.splice(0);
      const places: PlaceIntent[] = [];
      const cancels: Intent[] = [];
      const allowed = risk
        ? filterIntents(risk.limits, risk.state, intents, {
            price: this.lastPrice,
            positionValue: this.engine.balances().base * this.lastPrice,
            openBuyValue: this.engine.balances().lockedQuote,
            accountExposure: risk.accountExposure,
          })
        : { allowed: intents, blocked: [] };
      for (const b of allowed.blocked) {
        this.counters.rejected++;
        this.feed(uow, { type: 'order', seq: b.intent.seq, status: 'rejected', filled: 0, reason: b.reason });
      }
      for (const it of allowed.allowed) {
        if (it.kind === 'place') {
          places.push(it);
          uow.newOrders.push({
            clientOrderId: this.cid(it.seq),
            botId: this.bot.id,
            seq: it.seq,
            symbol: this.bot.symbol,
            side: it.side,
            type: it.type,
            price: it.price ?? null,
            amount: it.amount,
            tag: it.tag,
            fence: this.fence,
            at: new Date(this.now()),
          });
        } else cancels.push(it);
      }
      // An idle tick (no fill, no order change, a price inside the engine's wake range) writes nothing.
      if (uow.empty && !this.changed && intents.length === 0) return;
      await this.commit(uow);
      if (places.length === 0 && cancels.length === 0 && this.pending.length === 0) return;
      uow = new UnitOfWork();
      for (const it of places) await this.place(uow, it);
      for (const it of cancels) await this.cancel(uow, it.seq);
    }
    // Whatever is still pending waits for the next tick (kept in memory; the snapshot has the engine's view).
    await this.commit(uow);
  }

  private async commit(uow: UnitOfWork): Promise<void> {
    const at = new Date(this.now());
    try {
      await uow.commit(this.deps.prisma, this.bot.id, this.fence, this.engine.snapshot(), this.deps.alerts, at);
    } catch (err) {
      // Rolled back, or not known (a lost connection at COMMIT): read the rows again next time.
      this.active.invalidate();
      throw err;
    }
    this.changed = false;
    this.active.committed(uow.newOrders, uow.updates, at);
    for (const f of uow.fills) this.remember(f.tradeId);
  }

  private async place(uow: UnitOfWork, it: PlaceIntent): Promise<void> {
    const id = this.cid(it.seq);
    try {
      const o = await this.deps.exchange.createOrder({
        clientOrderId: id,
        symbol: this.bot.symbol,
        side: it.side,
        type: it.type,
        amount: it.amount,
        ...(it.price !== undefined ? { price: it.price } : {}),
      });
      this.counters.placed++;
      this.applyOrder(uow, o);
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      if (err instanceof ExchangeError && err.kind === 'rejected') {
        this.counters.rejected++;
        uow.update(id, { status: 'rejected', error: err.message });
        this.feed(uow, { type: 'order', seq: it.seq, status: 'rejected', filled: 0, reason: err.message });
        return;
      }
      // Unknown outcome (timeout, network, bad response): never resend; settle by client order id later.
      this.deps.logger.warn({ botId: this.bot.id, clientOrderId: id, err: errorText(err) }, 'order outcome unknown; will look it up');
      uow.update(id, { status: 'unknown', error: errorText(err) });
    }
  }

  private async cancel(uow: UnitOfWork, seq: number): Promise<void> {
    const id = this.cid(seq);
    try {
      const o = await this.deps.exchange.cancelOrder(this.bot.symbol, id);
      this.counters.cancelled++;
      this.applyOrder(uow, o);
    } catch (err) {
      if (err instanceof ExchangeError && err.reason === 'order_not_found') {
        const o = await this.deps.exchange.fetchOrder(this.bot.symbol, id).catch(() => null);
        if (o) this.applyOrder(uow, o);
        else {
          uow.update(id, { status: 'canceled', error: 'not found on the exchange' });
          this.feed(uow, { type: 'order', seq, status: 'canceled', filled: 0 });
        }
        return;
      }
      this.deps.logger.warn({ botId: this.bot.id, clientOrderId: id, err: errorText(err) }, 'cancel failed; will retry');
      // The engine keeps the order as cancel-requested; the next refresh settles it.
    }
  }

  /** Records what the exchange says about an order and tells the engine. */
  private applyOrder(uow: UnitOfWork, o: Order): void {
    const ids = parseClientOrderId(this.deps.idPrefix, o.clientOrderId);
    if (!ids || ids.botId !== this.bot.id) return;
    uow.update(o.clientOrderId, { status: o.status, filled: o.filled, average: o.average, exchangeOrderId: o.id });
    this.feed(uow, { type: 'order', seq: ids.seq, status: o.status, filled: o.filled });
  }

  // --- reconciliation ---------------------------------------------------------------------------

  /** The bot's order rows not yet final (see active-orders.ts: no query on an idle tick). */
  private readonly active = new ActiveOrders(() => new OrderRepository(this.deps.prisma).active(this.bot.id));

  private activeOrders(): Promise<OrderRecord[]> {
    return this.active.list();
  }

  /** Orders written but not acknowledged (pending) or whose send had no answer (unknown). */
  private async settleInDoubt(uow: UnitOfWork, active: readonly OrderRecord[], olderThanMs: number): Promise<void> {
    // At start-up (0) every one of them, however its time was stamped.
    const rows = active.filter((r) => (r.status === 'pending' || r.status === 'unknown') && (olderThanMs === 0 || this.now() - r.updatedAt.getTime() >= olderThanMs));
    for (const r of rows) {
      const o = await this.deps.exchange.fetchOrder(this.bot.symbol, r.clientOrderId);
      this.counters.settled++;
      if (o) this.applyOrder(uow, o);
      else {
        // Never reached the exchange: the engine decides again (no blind resend).
        uow.update(r.clientOrderId, { status: 'rejected', error: 'never reached the exchange' });
        this.feed(uow, { type: 'order', seq: r.seq, status: 'rejected', filled: 0, reason: 'never reached the exchange' });
      }
    }
  }

  /** Own trades since the last one seen, each ingested once (by trade id). */
  private async ingestTrades(uow: UnitOfWork): Promise<void> {
    const since = Math.max(0, (this.bot.lastTradeAt?.getTime() ?? this.bot.createdAt.getTime()) - TRADE_OVERLAP_MS);
    const trades = await this.deps.exchange.fetchMyTrades(this.bot.symbol, since);
    if (trades.length === 0) return;
    const byExchangeId = await this.ordersByExchangeId(trades);
    const mine: { t: Trade; seq: number; cid: string }[] = [];
    for (const t of trades) {
      const cid = t.clientOrderId ?? byExchangeId.get(t.orderId)?.clientOrderId ?? null;
      const ids = cid ? parseClientOrderId(this.deps.idPrefix, cid) : null;
      if (cid && ids && ids.botId === this.bot.id) mine.push({ t, seq: ids.seq, cid });
    }
    // Trades this runner stored already need no database check (the overlap re-reads them for a minute).
    const unseen = mine.filter((m) => !this.stored.has(m.t.id));
    if (unseen.length === 0) return;
    const known = await knownTradeIds(this.deps.prisma, this.deps.exchange.id, this.bot.symbol, unseen.map((m) => m.t.id));
    for (const id of known) this.remember(id);
    for (const { t, seq, cid } of unseen) {
      if (known.has(t.id)) continue;
      known.add(t.id);
      const feeQuote = t.fee.currency === this.rules.quote ? t.fee.cost : t.fee.currency === this.rules.base ? t.fee.cost * t.price : 0;
      uow.fills.push({
        exchange: this.deps.exchange.id,
        symbol: this.bot.symbol,
        tradeId: t.id,
        botId: this.bot.id,
        clientOrderId: cid,
        side: t.side,
        price: t.price,
        amount: t.amount,
        cost: t.cost,
        fee: t.fee.cost,
        feeCurrency: t.fee.currency,
        feeQuote,
        maker: t.takerOrMaker === 'maker',
        at: new Date(t.timestamp),
      });
      this.counters.fills++;
      this.feed(uow, { type: 'fill', tradeId: t.id, seq, side: t.side, price: t.price, amount: t.amount, fee: t.fee.cost, feeCurrency: t.fee.currency, time: t.timestamp });
      if (!uow.lastTradeAt || t.timestamp > uow.lastTradeAt.getTime()) uow.lastTradeAt = new Date(t.timestamp);
    }
    if (uow.lastTradeAt) this.bot.lastTradeAt = uow.lastTradeAt;
  }

  private async ordersByExchangeId(trades: readonly Trade[]): Promise<Map<string, OrderRecord>> {
    const missing = trades.filter((t) => !t.clientOrderId).map((t) => t.orderId);
    if (missing.length === 0) return new Map();
    const rows = await this.deps.prisma.order.findMany({ where: { botId: this.bot.id, exchangeOrderId: { in: missing } }, select: { clientOrderId: true, exchangeOrderId: true } });
    return new Map(rows.map((r) => [r.exchangeOrderId!, { clientOrderId: r.clientOrderId } as OrderRecord]));
  }

  /** Orders we think are open but the exchange no longer lists: fetch their final state. */
  private async refreshOpenOrders(uow: UnitOfWork, active: readonly OrderRecord[]): Promise<void> {
    const rows = active.filter((r) => r.status === 'open' || r.status === 'partially_filled');
    if (rows.length === 0) return;
    const open = byClientOrderId(await this.deps.exchange.fetchOpenOrders(this.bot.symbol));
    for (const r of rows) {
      const live = open.get(r.clientOrderId);
      if (live) {
        if (live.filled !== r.filled) uow.update(r.clientOrderId, { status: live.status, filled: live.filled, average: live.average });
        continue;
      }
      const o = await this.deps.exchange.fetchOrder(this.bot.symbol, r.clientOrderId);
      if (o) {
        const byHand = o.status === 'canceled' && !this.engine.openOrders().some((v) => v.seq === r.seq && v.cancelRequested);
        if (byHand) {
          uow.alerts.push({
            kind: 'manual_change',
            botId: this.bot.id,
            dedupeKey: `manual-cancel:${r.clientOrderId}`,
            text: `✋ <b>#${this.bot.id} ${this.bot.strategy} ${this.bot.symbol}</b>: order ${r.side} ${r.amount} @ ${r.price ?? 'market'} was cancelled on the exchange, not by this bot. The bot has taken note and carries on.`,
          });
        }
        this.applyOrder(uow, o);
      } else {
        uow.update(r.clientOrderId, { status: 'canceled', error: 'no longer known to the exchange' });
        this.feed(uow, { type: 'order', seq: r.seq, status: 'canceled', filled: r.filled });
      }
    }
  }

  /** The latest price (and closed candles for engines that need every close). */
  private async feedPrices(uow: UnitOfWork): Promise<void> {
    const t = await this.deps.exchange.fetchTicker(this.bot.symbol);
    this.lastPrice = t.last;
    if (this.engine.wake().everyClose) {
      const tf = ((this.bot.config as { timeframe?: Timeframe }).timeframe ?? '1m') as Timeframe;
      const step = TIMEFRAME_MS[tf];
      const since = this.lastCandleTime ? this.lastCandleTime + step : t.timestamp - 200 * step;
      const candles = await this.deps.exchange.fetchCandles(this.bot.symbol, tf, since, t.timestamp);
      for (const c of candles) {
        this.feed(uow, { type: 'candle', time: c.time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
        this.lastCandleTime = c.time;
      }
      return;
    }
    const w = this.engine.wake();
    if (t.last <= w.below || t.last >= w.above) this.feed(uow, { type: 'tick', price: t.last, time: t.timestamp });
  }

  get price(): number {
    return this.lastPrice;
  }
}

export class ModeMismatchError extends Error {
  override readonly name = 'ModeMismatchError';
}

/** Open orders by client order id; a list shared by the bots of a symbol (jobs/cycle-cache.ts) is indexed once. */
const indexed = new WeakMap<readonly Order[], Map<string, Order>>();
function byClientOrderId(list: readonly Order[]): Map<string, Order> {
  let m = indexed.get(list);
  if (!m) {
    m = new Map(list.map((o) => [o.clientOrderId, o]));
    indexed.set(list, m);
  }
  return m;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
