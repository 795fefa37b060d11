/** Binance spot REST response shapes for the emulator's orders, trades and candles. */
import { TIMEFRAME_MS, type Candle, type Timeframe } from '../../exchange/types.js';
import { fromUnits } from './decimal.js';
import type { EmuOrder, EmuTrade } from './state.js';

export function orderJson(o: EmuOrder): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: fromUnits(o.price),
    origQty: fromUnits(o.origQty),
    executedQty: fromUnits(o.executedQty),
    cummulativeQuoteQty: fromUnits(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: o.time,
    updateTime: o.updateTime,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** POST /api/v3/order with newOrderRespType=FULL (ACK and RESULT are subsets). */
export function newOrderJson(o: EmuOrder, fills: EmuTrade[], respType: string | undefined): Record<string, unknown> {
  const ack = { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time };
  if (respType === 'ACK') return ack;
  const { time: _t, updateTime: _u, isWorking: _w, stopPrice: _s, icebergQty: _i, ...rest } = orderJson(o);
  const result = { ...rest, transactTime: o.time };
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: fills.map((f) => ({
      price: fromUnits(f.price),
      qty: fromUnits(f.qty),
      commission: fromUnits(f.commission),
      commissionAsset: f.commissionAsset,
      tradeId: f.id,
    })),
  };
}

export function cancelJson(o: EmuOrder, cancelClientId: string): Record<string, unknown> {
  const { time: _t, updateTime: _u, isWorking: _w, stopPrice: _s, icebergQty: _i, workingTime: _wt, ...rest } = orderJson(o);
  return { ...rest, origClientOrderId: o.clientOrderId, clientOrderId: cancelClientId, transactTime: o.updateTime };
}

export function tradeJson(t: EmuTrade): Record<string, unknown> {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: fromUnits(t.price),
    qty: fromUnits(t.qty),
    quoteQty: fromUnits(t.quoteQty),
    commission: fromUnits(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

export function klineJson(c: Candle, timeframe: Timeframe): unknown[] {
  const s = (n: number) => n.toFixed(8);
  return [c.time, s(c.open), s(c.high), s(c.low), s(c.close), s(c.volume), c.time + TIMEFRAME_MS[timeframe] - 1, s(c.close * c.volume), 100, '0', '0', '0'];
}
