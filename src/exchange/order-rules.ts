/**
 * The checks every order passes before it reaches an exchange, paper or live, so both refuse the
 * same orders with the same error kinds: amounts round DOWN to the step, limit prices round toward
 * the passive side (a buy never pays more, a sell never accepts less), then minimum amount,
 * maximum amount and minimum order value (price * amount) apply.
 */
import { rejected } from './errors.js';
import { floorToStep, formatToStep, passivePrice } from '../lib/precision.js';
import type { MarketRules, OrderRequest } from './types.js';

export interface PreparedOrder {
  amount: number;
  /** Limit price on the tick grid; null for market orders. */
  price: number | null;
  /** The amount and price as sent: exactly the grid's decimals. */
  amountText: string;
  priceText: string | null;
}

/** Client order ids: Binance accepts 1-36 characters of [.A-Z:/a-z0-9_-]. */
const CLIENT_ID_RE = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/**
 * Rounds and validates an order against a market's rules. `referencePrice` (the last price) is
 * used for the minimum-value check of market orders; without it that check is skipped.
 */
export function prepareOrder(rules: MarketRules, req: OrderRequest, referencePrice?: number): PreparedOrder {
  if (!CLIENT_ID_RE.test(req.clientOrderId)) {
    throw rejected('unknown', `client order id "${req.clientOrderId}" must be 1-36 characters of letters, digits and .:/_-`);
  }
  if (!Number.isFinite(req.amount) || req.amount <= 0) {
    throw rejected('invalid_amount', `amount must be a positive number, got ${req.amount}`);
  }
  const amount = floorToStep(req.amount, rules.stepSize);
  const amountText = formatToStep(amount, rules.stepSize);
  if (amount < rules.minAmount || amount <= 0) {
    throw rejected(
      'below_minimum',
      `${rules.symbol}: amount ${amountText} (${req.amount} rounded down to the step ${rules.stepSize}) is below the minimum ${rules.minAmount}`,
    );
  }
  if (rules.maxAmount !== undefined && amount > rules.maxAmount) {
    throw rejected('invalid_amount', `${rules.symbol}: amount ${amountText} is above the maximum ${rules.maxAmount}`);
  }
  let price: number | null = null;
  let priceText: string | null = null;
  if (req.type === 'limit') {
    if (req.price === undefined || !Number.isFinite(req.price) || req.price <= 0) {
      throw rejected('invalid_price', `${rules.symbol}: a limit order needs a positive price, got ${req.price}`);
    }
    price = passivePrice(req.price, rules.tickSize, req.side);
    if (price <= 0) throw rejected('invalid_price', `${rules.symbol}: price ${req.price} rounds to zero on the tick ${rules.tickSize}`);
    priceText = formatToStep(price, rules.tickSize);
  } else if (req.postOnly) {
    throw rejected('invalid_price', 'a market order cannot be post-only');
  }
  const valuePrice = price ?? referencePrice;
  if (valuePrice !== undefined && rules.minNotional > 0) {
    const value = valuePrice * amount;
    if (value + 1e-9 < rules.minNotional) {
      throw rejected(
        'below_minimum',
        `${rules.symbol}: order value ${value.toFixed(2)} ${rules.quote} is below the minimum ${rules.minNotional} ${rules.quote}`,
      );
    }
  }
  return { amount, price, amountText, priceText };
}
