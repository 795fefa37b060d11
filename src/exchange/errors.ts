import { ExchangeError, type ExchangeErrorReason } from './types.js';

/** The exchange refused the request; nothing changed. */
export function rejected(reason: ExchangeErrorReason, message: string): ExchangeError {
  return new ExchangeError('rejected', reason, message);
}

export function isExchangeError(err: unknown): err is ExchangeError {
  return err instanceof ExchangeError;
}

export function unknownSymbol(symbol: string): ExchangeError {
  return rejected('unknown_symbol', `${symbol} is not a market on this exchange`);
}
