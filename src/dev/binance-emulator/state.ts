/**
 * The emulator's exchange: balances, orders, trades and prices of a Binance spot account, with
 * Binance's filters and error codes. Amounts are exact (BigInt units of 1e-8). Resting orders fill
 * by the same price-path rules as the paper exchange when the market moves (`setPrice`,
 * `applyCandle`).
 */
import { matchCandle, pointCandle, tradesThrough, type RestingOrder } from '../../exchange/paper/matching.js';
import type { Candle } from '../../exchange/types.js';
import { DecimalError, fromUnits, mul, toUnits, unitsToNumber } from './decimal.js';
import type { EmuMarket } from './markets.js';

export class BinanceApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

export type EmuStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

export interface EmuOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  type: 'LIMIT' | 'MARKET' | 'LIMIT_MAKER';
  timeInForce: string;
  price: bigint;
  origQty: bigint;
  executedQty: bigint;
  cumQuote: bigint;
  status: EmuStatus;
  time: number;
  updateTime: number;
  locked: bigint;
  lockedAsset: string;
}

export interface EmuTrade {
  id: number;
  symbol: string;
  orderId: number;
  price: bigint;
  qty: bigint;
  quoteQty: bigint;
  commission: bigint;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface EmulatorStateOptions {
  markets: Map<string, EmuMarket>;
  balances: Record<string, number | string>;
  makerFee: number;
  takerFee: number;
  /** Partial fills: at most this share of a candle's volume fills per candle; null = no cap. */
  volumeShare: number | null;
  now: () => number;
}

const isOpen = (o: EmuOrder) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
const bad = (code: number, msg: string, status = 400) => new BinanceApiError(status, code, msg);

function units(v: string | undefined, name: string): bigint {
  if (v === undefined || v === '') throw bad(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
  try {
    return toUnits(v);
  } catch (err) {
    if (err instanceof DecimalError && /decimals/.test(err.message)) throw bad(-1111, 'Precision is over the maximum defined for this asset.');
    throw bad(-1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
  }
}

export class EmulatorState {
  readonly markets: Map<string, EmuMarket>;
  private readonly balances = new Map<string, { free: bigint; locked: bigint }>();
  readonly orders: EmuOrder[] = [];
  readonly trades: EmuTrade[] = [];
  private readonly prices = new Map<string, bigint>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  private readonly maker: bigint;
  private readonly taker: bigint;

  constructor(private readonly opts: EmulatorStateOptions) {
    this.markets = opts.markets;
    for (const [a, v] of Object.entries(opts.balances)) this.balances.set(a, { free: toUnits(String(v)), locked: 0n });
    this.maker = toUnits(opts.makerFee);
    this.taker = toUnits(opts.takerFee);
  }

  market(symbol: string | undefined): EmuMarket {
    if (!symbol) throw bad(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    const m = this.markets.get(symbol);
    if (!m) throw bad(-1121, 'Invalid symbol.');
    return m;
  }

  private bal(asset: string): { free: bigint; locked: bigint } {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: 0n, locked: 0n };
      this.balances.set(asset, b);
    }
    return b;
  }

  price(symbol: string): bigint | undefined {
    return this.prices.get(symbol);
  }

  balanceList(): { asset: string; free: string; locked: string }[] {
    return [...this.balances].map(([asset, b]) => ({ asset, free: fromUnits(b.free), locked: fromUnits(b.locked) }));
  }

  /** POST /api/v3/order. Returns the order and the fills it made at once. */
  placeOrder(p: Record<string, string>): { order: EmuOrder; fills: EmuTrade[] } {
    const m = this.market(p.symbol);
    const side = p.side;
    if (side !== 'BUY' && side !== 'SELL') throw bad(-1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    const type = p.type;
    if (type !== 'LIMIT' && type !== 'MARKET' && type !== 'LIMIT_MAKER') throw bad(-1116, 'Invalid orderType.');
    if (!m.orderTypes.includes(type)) throw bad(-1116, 'Invalid orderType.');
    const qty = units(p.quantity, 'quantity');
    if (qty < m.minQty || (m.maxQty > 0n && qty > m.maxQty) || (qty - m.minQty) % m.step !== 0n) throw bad(-1013, 'Filter failure: LOT_SIZE');
    const last = this.prices.get(m.id);
    let price = 0n;
    if (type !== 'MARKET') {
      if (type === 'LIMIT' && !p.timeInForce) throw bad(-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
      price = units(p.price, 'price');
      if (price < m.minPrice || (m.maxPrice > 0n && price > m.maxPrice) || (price - m.minPrice) % m.tick !== 0n) throw bad(-1013, 'Filter failure: PRICE_FILTER');
    } else if (last === undefined) {
      throw bad(-1013, 'Market is closed.');
    }
    const valuePrice = type === 'MARKET' ? last! : price;
    if ((type !== 'MARKET' || m.applyMinToMarket) && mul(valuePrice, qty) < m.minNotional) throw bad(-1013, 'Filter failure: NOTIONAL');
    const cid = p.newClientOrderId ?? `emu${this.nextOrderId}`;
    if (this.orders.some((o) => o.clientOrderId === cid && isOpen(o))) throw bad(-2010, 'Duplicate order sent.');
    const marketable = last !== undefined && (type === 'MARKET' || (side === 'BUY' ? price >= last : price <= last));
    if (type === 'LIMIT_MAKER' && marketable) throw bad(-2010, 'Order would immediately match and take.');
    const [asset, need] = side === 'BUY' ? [m.quote, mul(type === 'MARKET' ? last! : price, qty)] : [m.base, qty];
    const b = this.bal(asset);
    if (b.free < need) throw bad(-2010, 'Account has insufficient balance for requested action.');
    const now = this.opts.now();
    const order: EmuOrder = {
      symbol: m.id,
      orderId: this.nextOrderId++,
      clientOrderId: cid,
      side,
      type,
      timeInForce: type === 'LIMIT' ? p.timeInForce! : 'GTC',
      price,
      origQty: qty,
      executedQty: 0n,
      cumQuote: 0n,
      status: 'NEW',
      time: now,
      updateTime: now,
      locked: 0n,
      lockedAsset: asset,
    };
    b.free -= need;
    b.locked += need;
    order.locked = need;
    this.orders.push(order);
    const fills: EmuTrade[] = [];
    if (marketable) fills.push(this.fill(order, m, qty, last!, false, now));
    return { order, fills };
  }

  private fill(o: EmuOrder, m: EmuMarket, qty: bigint, price: bigint, isMaker: boolean, now: number): EmuTrade {
    const quoteQty = mul(qty, price);
    const rate = isMaker ? this.maker : this.taker;
    const buy = o.side === 'BUY';
    const pay = buy ? quoteQty : qty;
    const fromLock = pay < o.locked ? pay : o.locked;
    const lb = this.bal(o.lockedAsset);
    lb.locked -= fromLock;
    lb.free -= pay - fromLock;
    o.locked -= fromLock;
    const commission = buy ? mul(qty, rate) : mul(quoteQty, rate);
    const recvAsset = buy ? m.base : m.quote;
    this.bal(recvAsset).free += (buy ? qty : quoteQty) - commission;
    o.executedQty += qty;
    o.cumQuote += quoteQty;
    o.updateTime = now;
    o.status = o.executedQty >= o.origQty ? 'FILLED' : 'PARTIALLY_FILLED';
    if (o.status === 'FILLED') this.release(o);
    const t: EmuTrade = { id: this.nextTradeId++, symbol: o.symbol, orderId: o.orderId, price, qty, quoteQty, commission, commissionAsset: recvAsset, time: now, isBuyer: buy, isMaker };
    this.trades.push(t);
    return t;
  }

  private release(o: EmuOrder): void {
    if (o.locked > 0n) {
      const b = this.bal(o.lockedAsset);
      b.locked -= o.locked;
      b.free += o.locked;
      o.locked = 0n;
    }
  }

  findOrder(p: Record<string, string>): EmuOrder {
    const m = this.market(p.symbol);
    const cid = p.origClientOrderId;
    const id = p.orderId === undefined ? undefined : Number(p.orderId);
    if (cid === undefined && id === undefined) throw bad(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    // The latest order with that client id (ids can be reused once an order is closed).
    for (let i = this.orders.length - 1; i >= 0; i--) {
      const o = this.orders[i]!;
      if (o.symbol === m.id && (cid !== undefined ? o.clientOrderId === cid : o.orderId === id)) return o;
    }
    throw bad(-2013, 'Order does not exist.');
  }

  cancelOrder(p: Record<string, string>): EmuOrder {
    let o: EmuOrder;
    try {
      o = this.findOrder(p);
    } catch (err) {
      if (err instanceof BinanceApiError && err.code === -2013) throw bad(-2011, 'Unknown order sent.');
      throw err;
    }
    if (!isOpen(o)) throw bad(-2011, 'Unknown order sent.');
    o.status = 'CANCELED';
    o.updateTime = this.opts.now();
    this.release(o);
    return o;
  }

  openOrders(symbol?: string): EmuOrder[] {
    if (symbol !== undefined) this.market(symbol);
    return this.orders.filter((o) => isOpen(o) && (symbol === undefined || o.symbol === symbol));
  }

  myTrades(p: Record<string, string>): EmuTrade[] {
    const m = this.market(p.symbol);
    const day = 86_400_000;
    const limit = Math.min(Number(p.limit ?? 500), 1000);
    let start = p.startTime === undefined ? undefined : Number(p.startTime);
    let end = p.endTime === undefined ? undefined : Number(p.endTime);
    if (start !== undefined && end !== undefined && end - start > day) throw bad(-1127, 'More than 24 hours between startTime and endTime.');
    if (start !== undefined && end === undefined) end = start + day;
    if (end !== undefined && start === undefined) start = end - day;
    const fromId = p.fromId === undefined ? undefined : Number(p.fromId);
    let list = this.trades.filter((t) => t.symbol === m.id);
    if (fromId !== undefined) list = list.filter((t) => t.id >= fromId);
    else if (start !== undefined && end !== undefined) list = list.filter((t) => t.time >= start! && t.time <= end!);
    else return list.slice(-limit);
    return list.slice(0, limit);
  }

  /** Moves the market to a price (one trade print); resting orders it goes through fill. */
  setPrice(symbol: string, price: number): void {
    this.match(this.market(symbol), pointCandle(this.opts.now(), price), null);
    this.prices.set(symbol, toUnits(price));
  }

  /** Moves the market along a candle's path; resting orders fill as on the paper exchange. */
  applyCandle(symbol: string, c: Candle): void {
    const cap = this.opts.volumeShare === null ? null : c.volume * this.opts.volumeShare;
    this.match(this.market(symbol), c, cap);
    this.prices.set(symbol, toUnits(c.close));
  }

  private match(m: EmuMarket, c: Candle, cap: number | null): void {
    const resting: RestingOrder[] = [];
    const byId = new Map<string, EmuOrder>();
    for (const o of this.orders) {
      if (o.symbol !== m.id || !isOpen(o) || o.type === 'MARKET') continue;
      const side = o.side === 'BUY' ? 'buy' : 'sell';
      const price = unitsToNumber(o.price);
      if (!tradesThrough(side, price, side === 'buy' ? c.low : c.high, m.tickSize)) continue;
      byId.set(String(o.orderId), o);
      resting.push({ id: String(o.orderId), side, price, remaining: unitsToNumber(o.origQty - o.executedQty) });
    }
    const now = this.opts.now();
    for (const f of matchCandle(resting, c, { tickSize: m.tickSize, stepSize: m.stepSize, volumeCap: cap })) {
      const o = byId.get(f.id)!;
      this.fill(o, m, toUnits(f.amount), o.price, true, now);
    }
  }

  /** Every order ever accepted (for duplicate counting). */
  allOrders(): readonly EmuOrder[] {
    return this.orders;
  }
}

