/**
 * ccxt's unified structures -> the port's types, validated with zod (an exchange answer that does
 * not fit is a bad_response, never a silently wrong number). Amounts are snapped to the market's
 * step and prices to its tick, so no float drift leaves this module.
 */
import { z } from 'zod';
import { roundMoney, roundToStep } from '../../lib/precision.js';
import { ExchangeError, type Balances, type Candle, type MarketRules, type Order, type OrderStatus, type Ticker, type Trade } from '../types.js';

const num = z.number().finite();
const optNum = num.nullish();

const feeSchema = z.object({ cost: optNum, currency: z.string().nullish() }).nullish();

const orderSchema = z.looseObject({
  id: z.string().min(1),
  clientOrderId: z.string().nullish(),
  timestamp: optNum,
  lastTradeTimestamp: optNum,
  lastUpdateTimestamp: optNum,
  status: z.string().nullish(),
  symbol: z.string(),
  type: z.string().nullish(),
  side: z.enum(['buy', 'sell']),
  price: optNum,
  amount: num,
  filled: optNum,
  remaining: optNum,
  average: optNum,
  cost: optNum,
  fee: feeSchema,
  fees: z.array(feeSchema).nullish(),
});

const tradeSchema = z.looseObject({
  id: z.string().min(1),
  order: z.string().min(1),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  price: num,
  amount: num,
  cost: optNum,
  fee: feeSchema,
  takerOrMaker: z.enum(['taker', 'maker']).nullish(),
  timestamp: num,
});

const tickerSchema = z.looseObject({ symbol: z.string(), bid: optNum, ask: optNum, last: optNum, close: optNum, timestamp: optNum });

const ohlcvSchema = z.array(z.tuple([num, num, num, num, num, optNum]).rest(z.unknown()));

const marketSchema = z.looseObject({
  symbol: z.string(),
  id: z.string(),
  base: z.string(),
  quote: z.string(),
  spot: z.boolean().nullish(),
  active: z.boolean().nullish(),
  maker: optNum,
  taker: optNum,
  precision: z.looseObject({ amount: optNum, price: optNum }),
  limits: z.looseObject({
    amount: z.looseObject({ min: optNum, max: optNum }).nullish(),
    cost: z.looseObject({ min: optNum, max: optNum }).nullish(),
  }),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ExchangeError('bad_response', 'bad_response', `unexpected ${what} from the exchange: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return r.data;
}

export function parseMarkets(raw: unknown): Map<string, MarketRules> {
  const list = parse(z.array(z.unknown()), Array.isArray(raw) ? raw : Object.values(raw ?? {}), 'markets');
  const out = new Map<string, MarketRules>();
  for (const item of list) {
    const m = marketSchema.safeParse(item);
    if (!m.success) continue; // a market we cannot read is a market we do not trade
    const v = m.data;
    if (v.spot === false || v.active === false || !v.precision.amount || !v.precision.price) continue;
    const maxAmount = v.limits.amount?.max ?? undefined;
    out.set(v.symbol, Object.freeze({
      symbol: v.symbol,
      id: v.id,
      base: v.base,
      quote: v.quote,
      tickSize: v.precision.price,
      stepSize: v.precision.amount,
      minAmount: v.limits.amount?.min ?? v.precision.amount,
      ...(maxAmount ? { maxAmount } : {}),
      minNotional: v.limits.cost?.min ?? 0,
      makerFee: v.maker ?? 0.001,
      takerFee: v.taker ?? 0.001,
    }));
  }
  return out;
}

function statusOf(raw: string | null | undefined, filled: number): OrderStatus {
  switch (raw) {
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case 'open':
    case 'canceling':
      return filled > 0 ? 'partially_filled' : 'open';
    default:
      throw new ExchangeError('bad_response', 'bad_response', `unknown order status from the exchange: ${String(raw)}`);
  }
}

export function parseOrder(raw: unknown, rules: MarketRules, fallbackClientOrderId?: string): Order {
  const o = parse(orderSchema, raw, 'order');
  const amount = roundToStep(o.amount, rules.stepSize);
  const filled = roundToStep(o.filled ?? 0, rules.stepSize);
  const type = o.type === 'market' ? 'market' : 'limit';
  const fees = (o.fees ?? [o.fee]).filter((f): f is { cost: number; currency: string } => typeof f?.cost === 'number' && typeof f.currency === 'string');
  const feeCost = fees.reduce((s, f) => s + f.cost, 0);
  const created = o.timestamp ?? o.lastUpdateTimestamp ?? 0;
  return {
    id: o.id,
    clientOrderId: o.clientOrderId ?? fallbackClientOrderId ?? '',
    symbol: rules.symbol,
    side: o.side,
    type,
    price: type === 'market' || !o.price ? null : roundToStep(o.price, rules.tickSize),
    amount,
    filled,
    remaining: roundToStep(Math.max(0, amount - filled), rules.stepSize),
    average: filled > 0 && o.average ? roundMoney(o.average, 10) : null,
    status: statusOf(o.status, filled),
    fee: fees.length > 0 ? { cost: roundMoney(feeCost), currency: fees[0]!.currency } : null,
    createdAt: created,
    updatedAt: o.lastUpdateTimestamp ?? o.lastTradeTimestamp ?? created,
  };
}

export function parseTrade(raw: unknown, rules: MarketRules, clientOrderIdOf: (orderId: string) => string | null): Trade {
  const t = parse(tradeSchema, raw, 'trade');
  if (typeof t.fee?.cost !== 'number' || !t.fee.currency) throw new ExchangeError('bad_response', 'bad_response', `trade ${t.id} has no fee`);
  const price = roundToStep(t.price, rules.tickSize);
  const amount = roundToStep(t.amount, rules.stepSize);
  return {
    id: t.id,
    orderId: t.order,
    clientOrderId: clientOrderIdOf(t.order),
    symbol: rules.symbol,
    side: t.side,
    price,
    amount,
    cost: roundMoney(t.cost ?? price * amount),
    fee: { cost: roundMoney(t.fee.cost), currency: t.fee.currency },
    takerOrMaker: t.takerOrMaker ?? 'taker',
    timestamp: t.timestamp,
  };
}

export function parseTicker(raw: unknown, symbol: string, now: number): Ticker {
  const t = parse(tickerSchema, raw, 'ticker');
  const last = t.last ?? t.close;
  if (!last) throw new ExchangeError('bad_response', 'bad_response', `ticker of ${symbol} has no last price`);
  return { symbol, bid: t.bid || last, ask: t.ask || last, last, timestamp: t.timestamp ?? now };
}

export function parseCandles(raw: unknown): Candle[] {
  return parse(ohlcvSchema, raw, 'candles').map(([time, open, high, low, close, volume]) => ({ time, open, high, low, close, volume: volume ?? 0 }));
}

export function parseBalance(raw: unknown): Balances {
  const b = parse(z.looseObject({ free: z.record(z.string(), optNum), used: z.record(z.string(), optNum), total: z.record(z.string(), optNum) }), raw, 'balance');
  const out: Balances = {};
  for (const asset of Object.keys(b.total).sort()) {
    const total = b.total[asset] ?? 0;
    if (!total) continue;
    out[asset] = { free: roundMoney(b.free[asset] ?? 0), used: roundMoney(b.used[asset] ?? 0), total: roundMoney(total) };
  }
  return out;
}
