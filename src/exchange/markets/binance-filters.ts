/**
 * Binance spot `exchangeInfo` -> MarketRules, validated with zod (exchange responses are parsed at
 * the edge). Used for the offline markets snapshot; the live adapter gets the same numbers through
 * ccxt's own parser.
 */
import { z } from 'zod';
import type { MarketRules } from '../types.js';

const decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: `not a non-negative decimal: ${String(v)}` });
    return z.NEVER;
  }
  return n;
});

const filterSchema = z.looseObject({ filterType: z.string() });

const symbolSchema = z.looseObject({
  symbol: z.string().min(1),
  status: z.string(),
  baseAsset: z.string().min(1),
  quoteAsset: z.string().min(1),
  isSpotTradingAllowed: z.boolean().optional(),
  filters: z.array(filterSchema),
});

export const exchangeInfoSchema = z.looseObject({
  symbols: z.array(symbolSchema),
});
export type ExchangeInfo = z.infer<typeof exchangeInfoSchema>;

const priceFilter = z.looseObject({ tickSize: decimal, minPrice: decimal, maxPrice: decimal });
const lotSize = z.looseObject({ stepSize: decimal, minQty: decimal, maxQty: decimal });
const notional = z.looseObject({ minNotional: decimal.optional(), notional: decimal.optional() });

export interface FeeRates {
  maker: number;
  taker: number;
}

/** Rules of every TRADING spot symbol in an exchangeInfo document. */
export function rulesFromExchangeInfo(raw: unknown, fees: FeeRates): Map<string, MarketRules> {
  const info = exchangeInfoSchema.parse(raw);
  const out = new Map<string, MarketRules>();
  for (const s of info.symbols) {
    if (s.status !== 'TRADING' || s.isSpotTradingAllowed === false) continue;
    const byType = new Map(s.filters.map((f) => [f.filterType, f]));
    const pf = priceFilter.parse(byType.get('PRICE_FILTER'));
    const lot = lotSize.parse(byType.get('LOT_SIZE'));
    const nf = byType.get('NOTIONAL') ?? byType.get('MIN_NOTIONAL');
    const n = nf ? notional.parse(nf) : { minNotional: 0, notional: undefined };
    const symbol = `${s.baseAsset}/${s.quoteAsset}`;
    out.set(symbol, Object.freeze({
      symbol,
      id: s.symbol,
      base: s.baseAsset,
      quote: s.quoteAsset,
      tickSize: pf.tickSize,
      stepSize: lot.stepSize,
      minAmount: lot.minQty,
      ...(lot.maxQty > 0 ? { maxAmount: lot.maxQty } : {}),
      minNotional: n.minNotional ?? n.notional ?? 0,
      makerFee: fees.maker,
      takerFee: fees.taker,
    }));
  }
  return out;
}
