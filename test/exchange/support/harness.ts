/** Test harnesses: the paper exchange, and the live adapter against the Binance emulator. */
import { startBinanceEmulator, type BinanceEmulator, type BinanceEmulatorOptions } from '../../../src/dev/binance-emulator/server.js';
import { CcxtExchange, type AdapterEvent, type CcxtAdapterOptions } from '../../../src/exchange/ccxt/adapter.js';
import { loadCcxt } from '../../../src/exchange/ccxt/client.js';
import { ApiCredentials } from '../../../src/exchange/credentials.js';
import { MemoryCandleSource } from '../../../src/exchange/market-data/memory.js';
import { snapshotMarkets } from '../../../src/exchange/markets/snapshot.js';
import { PaperExchange, type PaperExchangeOptions } from '../../../src/exchange/paper/paper-exchange.js';
import { ManualClock, systemClock } from '../../../src/lib/clock.js';
import type { Candle, ExchangePort, Timeframe } from '../../../src/exchange/types.js';

export interface History {
  symbol: string;
  timeframe: Timeframe;
  candles: Candle[];
}

export interface HarnessOptions {
  balances: Record<string, number>;
  history?: History;
  /** Partial fills capped at this share of a candle's volume. */
  volumeShare?: number | null;
}

export interface Harness {
  readonly exchange: ExchangePort;
  /** A trade print at `price`: resting orders it goes through fill. */
  price(symbol: string, price: number): Promise<void>;
  /** The market moves along a candle (open, high/low, close). */
  candle(symbol: string, c: Omit<Candle, 'time'>): Promise<void>;
  /** The exchange's current time (for `since` arguments). */
  now(): number;
  close(): Promise<void>;
}

export type HarnessFactory = (opts: HarnessOptions) => Promise<Harness>;

export const T0 = 1_700_000_040_000; // a minute boundary

export const paperHarness =
  (extra: Partial<PaperExchangeOptions> = {}): HarnessFactory =>
  async (opts) => {
    const clock = new ManualClock(T0);
    const source = MemoryCandleSource.of(opts.history ? { [opts.history.symbol]: { timeframe: opts.history.timeframe, candles: opts.history.candles } } : {}, clock);
    const paper = await PaperExchange.open({
      markets: snapshotMarkets(),
      clock,
      initialBalances: opts.balances,
      marketData: source,
      slippage: 0,
      volumeShare: opts.volumeShare ?? null,
      ...extra,
    });
    return {
      exchange: paper,
      price: async (symbol, p) => {
        clock.advance(1000);
        await paper.onTicker({ symbol, bid: p, ask: p, last: p, timestamp: clock.now() });
      },
      candle: async (symbol, c) => {
        clock.advance(1000);
        await paper.onCandle(symbol, { ...c, time: clock.now() });
      },
      now: () => clock.now(),
      close: () => paper.close(),
    };
  };

export const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
export const API_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

export interface LiveHarness extends Harness {
  readonly emulator: BinanceEmulator;
  readonly adapter: CcxtExchange;
  readonly events: AdapterEvent[];
}

/** Fast settings for tests: small timeouts and back-off, a short recvWindow. */
export const FAST: Partial<CcxtAdapterOptions> = {
  timeoutMs: 300,
  recvWindowMs: 400,
  settleMarginMs: 50,
  backoff: { attempts: 8, baseMs: 5, maxMs: 20, maxRetryAfterMs: 2_000 },
};

export async function startLive(opts: HarnessOptions, emuExtra: Partial<BinanceEmulatorOptions> = {}, adapterExtra: Partial<CcxtAdapterOptions> = {}): Promise<LiveHarness> {
  const emulator = await startBinanceEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, balances: opts.balances, volumeShare: opts.volumeShare ?? null, ...emuExtra });
  if (opts.history) emulator.loadCandles(opts.history.symbol.replace('/', ''), opts.history.timeframe, opts.history.candles);
  const events: AdapterEvent[] = [];
  const adapter = new CcxtExchange({
    apiUrl: emulator.url,
    credentials: ApiCredentials.of(API_KEY, API_SECRET),
    clock: systemClock,
    random: Math.random,
    ccxt: await loadCcxt(),
    onEvent: (e) => events.push(e),
    ...FAST,
    ...adapterExtra,
  });
  return {
    exchange: adapter,
    adapter,
    emulator,
    events,
    price: (symbol, p) => Promise.resolve(emulator.state.setPrice(symbol.replace('/', ''), p)),
    candle: (symbol, c) => Promise.resolve(emulator.state.applyCandle(symbol.replace('/', ''), { ...c, time: Date.now() })),
    now: () => Date.now(),
    close: async () => {
      await adapter.close();
      await emulator.close();
    },
  };
}

export const liveHarness: HarnessFactory = (opts) => startLive(opts);
