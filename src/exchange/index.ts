/**
 * The exchange layer's public API. Importing it does not load ccxt: only the live adapter does,
 * lazily, on its first call.
 */
export * from './types.js';
export { rejected, isExchangeError, unknownSymbol } from './errors.js';
export { ApiCredentials } from './credentials.js';
export { prepareOrder, type PreparedOrder } from './order-rules.js';
export { createExchange, exchangeConfigFromEnv, type ExchangeConfig, type ExchangeDeps, type ExchangeEnv, type ExchangeSetup, type PaperConfig } from './factory.js';
export { CcxtExchange, type AdapterEvent, type CcxtAdapterOptions } from './ccxt/adapter.js';
export { PaperExchange, DEFAULT_PAPER_BALANCES, type PaperExchangeOptions, type MarketsProvider } from './paper/paper-exchange.js';
export { PaperBook, freshSnapshot, type BookOptions, type PriceState } from './paper/book.js';
export { MemoryPaperStateStore, JsonFilePaperStateStore, paperSnapshotSchema, type PaperSnapshot, type PaperStateStore, type PaperOrderRecord } from './paper/state.js';
export * as matching from './paper/matching.js';
export type { MarketDataSource, MarketDataKind } from './market-data/source.js';
export { MemoryCandleSource, columnsOf } from './market-data/memory.js';
export { CsvReplaySource, ReplayClock } from './market-data/replay.js';
export { SyntheticSource } from './market-data/synthetic.js';
export { LiveMarketData } from './market-data/live.js';
export { snapshotMarkets, snapshotExchangeInfo, SNAPSHOT_DATE } from './markets/snapshot.js';
