/**
 * The paper exchange's state machine: balances, orders, trades and last prices, changed only by
 * `place`, `cancel`, `applyCandle` and `applyTicker`. Synchronous and deterministic (time is passed
 * in); persistence and market data are the caller's business.
 */
import { rejected } from '../errors.js';
import { prepareOrder } from '../order-rules.js';
import { roundMoney } from '../../lib/precision.js';
import type { Candle, MarketRules, OrderRequest, Ticker, Trade } from '../types.js';
import { Ledger } from './ledger.js';
import { fillFee, isMarketable, marketFillPrice, matchCandle, pointCandle, type RestingOrder } from './matching.js';
import { isOpen, newOrderRecord, recordFill } from './orders.js';
import type { PaperOrderRecord, PaperSnapshot } from './state.js';

export interface BookOptions {
  /** Market-order slippage as a fraction (0.0005 = 0.05 %). */
  slippage: number;
  /** Limit orders need one tick beyond their price to fill. */
  pessimistic: boolean;
  /** Partial fills: at most this share of a candle's volume fills per candle; null = no cap. */
  volumeShare: number | null;
  /** History kept (and persisted): the newest closed orders and trades. The app's own store keeps fills. */
  keepClosedOrders: number;
  keepTrades: number;
}

export interface PriceState {
  bid: number;
  ask: number;
  last: number;
  timestamp: number;
}

export function freshSnapshot(balances: Record<string, number>): PaperSnapshot {
  return {
    version: 1,
    balances: Object.fromEntries(Object.entries(balances).map(([a, v]) => [a, { free: v, used: 0 }])),
    orders: [],
    trades: [],
    nextOrderId: 1,
    nextTradeId: 1,
    cursors: {},
    prices: {},
  };
}

export class PaperBook {
  private readonly ledger: Ledger;
  private readonly orders = new Map<string, PaperOrderRecord>();
  /** Open orders per symbol, in placement order (time priority). */
  private readonly open = new Map<string, Map<string, PaperOrderRecord>>();
  private readonly byClientId = new Map<string, PaperOrderRecord>();
  private trades: Trade[];
  private readonly prices = new Map<string, PriceState>();
  readonly cursors = new Map<string, number>();
  private nextOrderId: number;
  private nextTradeId: number;
  private closedCount = 0;

  constructor(
    snap: PaperSnapshot,
    private readonly opts: BookOptions,
  ) {
    this.ledger = new Ledger(snap.balances);
    for (const o of snap.orders) this.index({ ...o });
    this.trades = snap.trades.map((t) => ({ ...t, fee: { ...t.fee } }));
    for (const [s, p] of Object.entries(snap.prices)) this.prices.set(s, { ...p });
    for (const [s, c] of Object.entries(snap.cursors)) this.cursors.set(s, c);
    this.nextOrderId = snap.nextOrderId;
    this.nextTradeId = snap.nextTradeId;
  }

  private index(rec: PaperOrderRecord): void {
    this.orders.set(rec.id, rec);
    this.byClientId.set(rec.clientOrderId, rec);
    if (isOpen(rec.status)) this.openMap(rec.symbol).set(rec.id, rec);
    else this.closedCount++;
  }

  private openMap(symbol: string): Map<string, PaperOrderRecord> {
    let m = this.open.get(symbol);
    if (!m) {
      m = new Map();
      this.open.set(symbol, m);
    }
    return m;
  }

  price(symbol: string): PriceState | undefined {
    return this.prices.get(symbol);
  }

  /** Places an order; throws ExchangeError('rejected', ...) exactly where a real exchange would. */
  place(rules: MarketRules, req: OrderRequest, now: number): PaperOrderRecord {
    const px = this.prices.get(req.symbol);
    const prep = prepareOrder(rules, req, px?.last);
    const dup = this.byClientId.get(req.clientOrderId);
    if (dup && isOpen(dup.status)) {
      throw rejected('duplicate_client_order_id', `an open order already has client order id ${req.clientOrderId}`);
    }
    const rec = newOrderRecord(String(this.nextOrderId), req, prep, now);
    if (rec.type === 'limit') {
      const limit = rec.price!;
      const marketable = px !== undefined && isMarketable(rec.side, limit, px.bid, px.ask);
      if (rec.postOnly && marketable) throw rejected('post_only_would_take', `${rules.symbol}: a post-only order at ${limit} would take liquidity`);
      const [asset, lock] = rec.side === 'buy' ? [rules.quote, roundMoney(rec.amount * limit)] : [rules.base, rec.amount];
      this.requireFunds(asset, lock);
      this.ledger.lock(asset, lock);
      rec.locked = lock;
      rec.lockedAsset = asset;
      this.commit(rec);
      if (marketable) {
        const ref = rec.side === 'buy' ? px.ask : px.bid;
        const p = marketFillPrice(rec.side, ref, this.opts.slippage, rules.tickSize);
        const fillPrice = rec.side === 'buy' ? Math.min(p, limit) : Math.max(p, limit);
        this.fill(rec, rules, rec.remaining, fillPrice, 'taker', now);
      }
      return rec;
    }
    if (px) {
      const p = marketFillPrice(rec.side, rec.side === 'buy' ? px.ask : px.bid, this.opts.slippage, rules.tickSize);
      this.requireFunds(rec.side === 'buy' ? rules.quote : rules.base, rec.side === 'buy' ? roundMoney(rec.amount * p) : rec.amount);
      this.commit(rec);
      this.fill(rec, rules, rec.remaining, p, 'taker', now);
      return rec;
    }
    // No price yet: the market order waits for the next one. A sell locks its base now.
    if (rec.side === 'sell') {
      this.requireFunds(rules.base, rec.amount);
      this.ledger.lock(rules.base, rec.amount);
      rec.locked = rec.amount;
      rec.lockedAsset = rules.base;
    }
    this.commit(rec);
    return rec;
  }

  private requireFunds(asset: string, amount: number): void {
    if (!this.ledger.canSpend(asset, amount)) {
      throw rejected('insufficient_funds', `insufficient ${asset}: need ${roundMoney(amount)}, free ${this.ledger.free(asset)}`);
    }
  }

  private commit(rec: PaperOrderRecord): void {
    this.nextOrderId++;
    this.index(rec);
  }

  cancel(symbol: string, clientOrderId: string, now: number): PaperOrderRecord {
    const rec = this.find(symbol, clientOrderId);
    if (!rec) throw rejected('order_not_found', `${symbol}: no order with client order id ${clientOrderId}`);
    if (!isOpen(rec.status)) return rec;
    rec.status = 'canceled';
    rec.updatedAt = now;
    this.close(rec);
    return rec;
  }

  private close(rec: PaperOrderRecord): void {
    if (rec.locked > 0 && rec.lockedAsset) this.ledger.unlock(rec.lockedAsset, rec.locked);
    rec.locked = 0;
    this.open.get(rec.symbol)?.delete(rec.id);
    this.closedCount++;
    if (this.closedCount > this.opts.keepClosedOrders * 1.2) this.prune();
  }

  /** Forgets the oldest closed orders and trades beyond the configured history. */
  private prune(): void {
    const closed = [...this.orders.values()].filter((o) => !isOpen(o.status)).sort((a, b) => a.updatedAt - b.updatedAt);
    for (const o of closed.slice(0, Math.max(0, closed.length - this.opts.keepClosedOrders))) {
      this.orders.delete(o.id);
      if (this.byClientId.get(o.clientOrderId) === o) this.byClientId.delete(o.clientOrderId);
    }
    this.closedCount = Math.min(closed.length, this.opts.keepClosedOrders);
    if (this.trades.length > this.opts.keepTrades) this.trades = this.trades.slice(-this.opts.keepTrades);
  }

  private fill(rec: PaperOrderRecord, rules: MarketRules, amount: number, price: number, role: 'maker' | 'taker', now: number): void {
    const fee = fillFee(rec.side, amount, price, role === 'maker' ? rules.makerFee : rules.takerFee, rules.base, rules.quote);
    const value = roundMoney(amount * price);
    if (rec.side === 'buy') {
      this.pay(rec, rules.quote, value);
      this.ledger.credit(rules.base, roundMoney(amount - fee.cost));
    } else {
      this.pay(rec, rules.base, amount);
      this.ledger.credit(rules.quote, roundMoney(value - fee.cost));
    }
    recordFill(rec, rules, amount, price, fee, now);
    this.trades.push({
      id: String(this.nextTradeId++),
      orderId: rec.id,
      clientOrderId: rec.clientOrderId,
      symbol: rec.symbol,
      side: rec.side,
      price,
      amount,
      cost: value,
      fee,
      takerOrMaker: role,
      timestamp: now,
    });
    if (rec.status === 'filled') this.close(rec);
  }

  /** Pays from the order's lock first, then from free balance. */
  private pay(rec: PaperOrderRecord, asset: string, amount: number): void {
    const fromLock = rec.lockedAsset === asset ? Math.min(amount, rec.locked) : 0;
    if (fromLock > 0) {
      this.ledger.spendLocked(asset, fromLock);
      rec.locked = roundMoney(rec.locked - fromLock);
    }
    const rest = roundMoney(amount - fromLock);
    if (rest > 0) this.ledger.spendFree(asset, rest);
  }

  /**
   * Advances one market by a candle: waiting market orders fill at its open, then resting limits on
   * its path. Orders placed after the candle opened are not matched against it. `closeTime` stamps
   * the resulting price (default the candle's open time).
   */
  applyCandle(rules: MarketRules, candle: Candle, closeTime = candle.time): number {
    const open = this.open.get(rules.symbol);
    let fills = 0;
    if (open && open.size > 0) {
      const eligible = [...open.values()].filter((o) => o.createdAt <= candle.time);
      fills += this.fillWaitingMarkets(rules, eligible, candle.open, candle.open, candle.time);
      const resting: RestingOrder[] = [];
      for (const o of eligible) if (o.type === 'limit' && isOpen(o.status)) resting.push(o as RestingOrder);
      if (resting.length > 0) {
        const cap = this.opts.volumeShare === null ? null : candle.volume * this.opts.volumeShare;
        const matched = matchCandle(resting, candle, { tickSize: rules.tickSize, stepSize: rules.stepSize, pessimistic: this.opts.pessimistic, volumeCap: cap });
        for (const f of matched) {
          const rec = this.orders.get(f.id)!;
          this.fill(rec, rules, f.amount, f.price, 'maker', Math.max(candle.time, rec.createdAt));
          fills++;
        }
      }
    }
    this.prices.set(rules.symbol, { bid: candle.close, ask: candle.close, last: candle.close, timestamp: closeTime });
    return fills;
  }

  /** Advances one market by a ticker (a single price point). */
  applyTicker(rules: MarketRules, t: Ticker): number {
    const open = this.open.get(rules.symbol);
    let fills = 0;
    if (open && open.size > 0) {
      const eligible = [...open.values()].filter((o) => o.createdAt <= t.timestamp);
      fills += this.fillWaitingMarkets(rules, eligible, t.bid, t.ask, t.timestamp);
      const resting = eligible.filter((o) => o.type === 'limit' && isOpen(o.status)) as RestingOrder[];
      for (const f of matchCandle(resting, pointCandle(t.timestamp, t.last), { tickSize: rules.tickSize, stepSize: rules.stepSize, pessimistic: this.opts.pessimistic })) {
        this.fill(this.orders.get(f.id)!, rules, f.amount, f.price, 'maker', t.timestamp);
        fills++;
      }
    }
    this.prices.set(rules.symbol, { bid: t.bid, ask: t.ask, last: t.last, timestamp: t.timestamp });
    return fills;
  }

  private fillWaitingMarkets(rules: MarketRules, orders: PaperOrderRecord[], bid: number, ask: number, now: number): number {
    let n = 0;
    for (const rec of orders) {
      if (rec.type !== 'market') continue;
      const p = marketFillPrice(rec.side, rec.side === 'buy' ? ask : bid, this.opts.slippage, rules.tickSize);
      if (rec.side === 'buy' && !this.ledger.canSpend(rules.quote, roundMoney(rec.remaining * p))) {
        rec.status = 'rejected';
        rec.updatedAt = now;
        this.close(rec);
        continue;
      }
      this.fill(rec, rules, rec.remaining, p, 'taker', now);
      n++;
    }
    return n;
  }

  find(symbol: string, clientOrderId: string): PaperOrderRecord | undefined {
    const rec = this.byClientId.get(clientOrderId);
    return rec && rec.symbol === symbol ? rec : undefined;
  }

  openOrders(symbol: string): PaperOrderRecord[] {
    return [...(this.open.get(symbol)?.values() ?? [])];
  }

  /** Symbols with open orders. */
  activeSymbols(): string[] {
    return [...this.open].filter(([, m]) => m.size > 0).map(([s]) => s);
  }

  tradesSince(symbol: string, since: number): Trade[] {
    return this.trades
      .filter((t) => t.symbol === symbol && t.timestamp >= since)
      .sort((a, b) => a.timestamp - b.timestamp || Number(a.id) - Number(b.id))
      .map((t) => ({ ...t, fee: { ...t.fee } }));
  }

  balances(): ReturnType<Ledger['balances']> {
    return this.ledger.balances();
  }

  snapshot(): PaperSnapshot {
    return {
      version: 1,
      balances: this.ledger.toJSON(),
      orders: [...this.orders.values()].map((o) => ({ ...o, fee: o.fee ? { ...o.fee } : null })),
      trades: this.trades.map((t) => ({ ...t, fee: { ...t.fee } })),
      nextOrderId: this.nextOrderId,
      nextTradeId: this.nextTradeId,
      cursors: Object.fromEntries(this.cursors),
      prices: Object.fromEntries([...this.prices].map(([s, p]) => [s, { ...p }])),
    };
  }
}
