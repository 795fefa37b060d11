import type { MarketRules } from '../../../src/exchange/types.js';

/** Binance-like BTC/USDT rules. */
export const BTC: MarketRules = {
  symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT',
  tickSize: 0.01, stepSize: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001,
};

/** A coarse market (big steps and minimums) to make rounding visible. */
export const COARSE: MarketRules = {
  symbol: 'ABC/USDT', id: 'ABCUSDT', base: 'ABC', quote: 'USDT',
  tickSize: 0.1, stepSize: 0.1, minAmount: 0.5, minNotional: 10, makerFee: 0.001, takerFee: 0.002,
};

/** A market priced around 100 with simple numbers: tick 0.01, step 0.001, minimum order 5 USDT, fees 0.1 %. */
export const XYZ: MarketRules = {
  symbol: 'XYZ/USDT', id: 'XYZUSDT', base: 'XYZ', quote: 'USDT',
  tickSize: 0.01, stepSize: 0.001, minAmount: 0.001, minNotional: 5, makerFee: 0.001, takerFee: 0.001,
};
