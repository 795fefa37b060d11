/** Binance filters of the emulator's markets, as exact units. */
import { toUnits } from './decimal.js';

export interface EmuMarket {
  id: string;
  base: string;
  quote: string;
  minPrice: bigint;
  maxPrice: bigint;
  tick: bigint;
  minQty: bigint;
  maxQty: bigint;
  step: bigint;
  minNotional: bigint;
  applyMinToMarket: boolean;
  orderTypes: string[];
  /** As numbers, for the shared matching rules. */
  tickSize: number;
  stepSize: number;
}

interface RawFilter {
  filterType: string;
  [k: string]: unknown;
}
interface RawSymbol {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  status: string;
  orderTypes?: string[];
  filters: RawFilter[];
}

export function marketsOf(exchangeInfo: { symbols: RawSymbol[] }): Map<string, EmuMarket> {
  const out = new Map<string, EmuMarket>();
  for (const s of exchangeInfo.symbols) {
    if (s.status !== 'TRADING') continue;
    const f = (t: string) => s.filters.find((x) => x.filterType === t) ?? {};
    const pf = f('PRICE_FILTER') as Record<string, string>;
    const lot = f('LOT_SIZE') as Record<string, string>;
    const nt = (s.filters.find((x) => x.filterType === 'NOTIONAL' || x.filterType === 'MIN_NOTIONAL') ?? {}) as Record<string, unknown>;
    out.set(s.symbol, {
      id: s.symbol,
      base: s.baseAsset,
      quote: s.quoteAsset,
      minPrice: toUnits(pf.minPrice ?? '0'),
      maxPrice: toUnits(pf.maxPrice ?? '0'),
      tick: toUnits(pf.tickSize ?? '0.00000001'),
      minQty: toUnits(lot.minQty ?? '0'),
      maxQty: toUnits(lot.maxQty ?? '0'),
      step: toUnits(lot.stepSize ?? '0.00000001'),
      minNotional: toUnits(String(nt.minNotional ?? '0')),
      applyMinToMarket: nt.applyMinToMarket !== false,
      orderTypes: s.orderTypes ?? ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
      tickSize: Number(pf.tickSize ?? '0.00000001'),
      stepSize: Number(lot.stepSize ?? '0.00000001'),
    });
  }
  return out;
}
