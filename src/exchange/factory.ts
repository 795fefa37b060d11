/**
 * `createExchange(config)`: the composition root of the exchange layer. Paper by default; live
 * only with an explicit mode and keys. For paper trading it picks the market rules (the real
 * exchange's when reachable, else the repo snapshot) and the price source (MARKET_DATA_DIR replay,
 * else live public data when reachable, else a seeded synthetic series) and says which it uses.
 */
import type { Clock } from '../lib/clock.js';
import { Secret } from '../lib/secret.js';
import { CcxtExchange, type AdapterEvent, type CcxtAdapterOptions } from './ccxt/adapter.js';
import { ApiCredentials } from './credentials.js';
import { LiveMarketData } from './market-data/live.js';
import { CsvReplaySource } from './market-data/replay.js';
import type { MarketDataSource } from './market-data/source.js';
import { SyntheticSource } from './market-data/synthetic.js';
import { SNAPSHOT_DATE, snapshotMarkets } from './markets/snapshot.js';
import { PaperExchange } from './paper/paper-exchange.js';
import type { PaperStateStore } from './paper/state.js';
import type { ExchangePort, TradingMode } from './types.js';

export interface PaperConfig {
  /** Starting balances when the store is empty. Default { USDT: 10000 }. */
  balances?: Record<string, number>;
  store?: PaperStateStore;
  slippage?: number;
  pessimistic?: boolean;
  volumeShare?: number | null;
}

export interface ExchangeConfig {
  mode: TradingMode;
  /** ccxt exchange id. Default 'binance'. */
  exchange?: string;
  apiUrl?: string | null;
  credentials?: ApiCredentials | null;
  /** CSV candles to replay instead of the network (paper mode). */
  marketDataDir?: string | null;
  /** Replay speed (data time per wall time). Default 60. */
  replaySpeed?: number;
  /** Replay start (Unix ms). Default: the start of the BTCUSDT file. */
  replayStart?: number;
  /** Seed of the synthetic price series. Default 42. */
  syntheticSeed?: number;
  /** Whether to try the exchange's public API in paper mode. Default true. */
  online?: boolean;
  /** How long the online probe may take. Default 5 s. */
  probeTimeoutMs?: number;
  paper?: PaperConfig;
  /** Extra adapter settings (timeouts, back-off). */
  adapter?: Partial<CcxtAdapterOptions>;
}

export interface ExchangeDeps {
  clock: Clock;
  random: () => number;
  onEvent?: (e: AdapterEvent) => void;
}

export interface ExchangeSetup {
  exchange: ExchangePort;
  /** Where paper prices come from (null in live mode). */
  marketData: MarketDataSource | null;
  /** The market's clock: data time for a replay, else the wall clock. */
  clock: Clock;
  marketsFrom: 'exchange' | 'snapshot';
  /** One sentence for the owner, e.g. for the demo's banner. */
  description: string;
  close(): Promise<void>;
}

/** The subset of the parsed environment (config/env.ts) the exchange layer reads. */
export interface ExchangeEnv {
  TRADING_MODE?: TradingMode;
  EXCHANGE?: string;
  EXCHANGE_API_KEY?: Secret | string;
  EXCHANGE_API_SECRET?: Secret | string;
  EXCHANGE_API_URL?: string;
  MARKET_DATA_DIR?: string;
}

export function exchangeConfigFromEnv(env: ExchangeEnv): ExchangeConfig {
  const reveal = (s: Secret | string | undefined) => (s instanceof Secret ? s.reveal() : s)?.trim();
  const key = reveal(env.EXCHANGE_API_KEY);
  const secret = reveal(env.EXCHANGE_API_SECRET);
  return {
    mode: env.TRADING_MODE ?? 'paper',
    exchange: env.EXCHANGE ?? 'binance',
    apiUrl: env.EXCHANGE_API_URL ?? null,
    credentials: key && secret ? ApiCredentials.of(key, secret) : null,
    marketDataDir: env.MARKET_DATA_DIR ?? null,
  };
}

export async function createExchange(config: ExchangeConfig, deps: ExchangeDeps): Promise<ExchangeSetup> {
  const exchangeId = config.exchange ?? 'binance';
  const adapterBase = { exchange: exchangeId, apiUrl: config.apiUrl ?? null, clock: deps.clock, random: deps.random, ...(deps.onEvent ? { onEvent: deps.onEvent } : {}) };
  if (config.mode === 'live') {
    if (!config.credentials) throw new Error('live trading needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET; without them use TRADING_MODE=paper');
    const exchange = new CcxtExchange({ ...adapterBase, ...config.adapter, credentials: config.credentials });
    const where = config.apiUrl ? ` at ${config.apiUrl}` : '';
    return { exchange, marketData: null, clock: deps.clock, marketsFrom: 'exchange', description: `LIVE trading on ${exchangeId}${where}`, close: () => exchange.close() };
  }

  // Paper: is the exchange's public API reachable (for rules and, without a replay, prices)?
  let publicEx: CcxtExchange | null = null;
  if (config.online !== false) {
    const probe = new CcxtExchange({ ...adapterBase, timeoutMs: config.probeTimeoutMs ?? 5_000, backoff: { attempts: 1 } });
    try {
      await probe.loadMarkets();
      publicEx = new CcxtExchange({ ...adapterBase, ...config.adapter });
    } catch {
      publicEx = null;
    } finally {
      await probe.close();
    }
  }

  let marketData: MarketDataSource;
  let clock: Clock = deps.clock;
  if (config.marketDataDir) {
    const replay = await CsvReplaySource.open({ dir: config.marketDataDir, wallClock: deps.clock, speed: config.replaySpeed ?? 60, ...(config.replayStart !== undefined ? { start: config.replayStart } : {}) });
    marketData = replay;
    clock = replay.clock;
  } else if (publicEx) {
    marketData = new LiveMarketData(publicEx, deps.clock);
  } else {
    marketData = new SyntheticSource({ clock: deps.clock, seed: config.syntheticSeed ?? 42 });
  }
  const rulesEx = publicEx;
  const p = config.paper ?? {};
  const exchange = await PaperExchange.open({
    id: `paper:${exchangeId}`,
    markets: rulesEx ? () => rulesEx.loadMarkets() : snapshotMarkets(),
    clock,
    marketData,
    ...(p.store ? { store: p.store } : {}),
    ...(p.balances ? { initialBalances: p.balances } : {}),
    ...(p.slippage !== undefined ? { slippage: p.slippage } : {}),
    ...(p.pessimistic !== undefined ? { pessimistic: p.pessimistic } : {}),
    ...(p.volumeShare !== undefined ? { volumeShare: p.volumeShare } : {}),
  });
  const rules = rulesEx ? `${exchangeId}'s live market rules` : `${exchangeId} market rules from the snapshot of ${SNAPSHOT_DATE}`;
  return {
    exchange,
    marketData,
    clock,
    marketsFrom: rulesEx ? 'exchange' : 'snapshot',
    description: `paper trading on ${rules}; prices: ${marketData.description}`,
    close: async () => {
      await exchange.close();
      await marketData.close();
      if (publicEx && marketData.kind !== 'live') await publicEx.close();
    },
  };
}
