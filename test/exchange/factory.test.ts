/** createExchange: paper by default, live only with keys; rules and price sources chosen and named. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/dev/binance-emulator/server.js';
import { CcxtExchange } from '../../src/exchange/ccxt/adapter.js';
import { ApiCredentials } from '../../src/exchange/credentials.js';
import { createExchange, exchangeConfigFromEnv, type ExchangeSetup } from '../../src/exchange/factory.js';
import { snapshotMarkets } from '../../src/exchange/markets/snapshot.js';
import { PaperExchange } from '../../src/exchange/paper/paper-exchange.js';
import { ManualClock, systemClock } from '../../src/lib/clock.js';
import { Secret } from '../../src/lib/secret.js';
import { API_KEY, API_SECRET, FAST } from './support/harness.js';

const deps = { clock: systemClock, random: Math.random };
let emu: BinanceEmulator;
const setups: ExchangeSetup[] = [];
const keep = (s: ExchangeSetup) => {
  setups.push(s);
  return s;
};

beforeAll(async () => {
  emu = await startBinanceEmulator({ apiKey: API_KEY, apiSecret: API_SECRET });
  emu.state.setPrice('BTCUSDT', 30_000);
});
afterAll(async () => {
  for (const s of setups) await s.close();
  await emu.close();
});

describe('createExchange', () => {
  it('reads the environment (keys stay secrets)', () => {
    const cfg = exchangeConfigFromEnv({ TRADING_MODE: 'live', EXCHANGE_API_KEY: new Secret(API_KEY), EXCHANGE_API_SECRET: API_SECRET, EXCHANGE_API_URL: emu.url });
    expect(cfg).toMatchObject({ mode: 'live', exchange: 'binance', apiUrl: emu.url });
    expect(cfg.credentials?.secret.reveal()).toBe(API_SECRET);
    expect(JSON.stringify(cfg)).not.toContain(API_SECRET);
    expect(exchangeConfigFromEnv({})).toMatchObject({ mode: 'paper', credentials: null, marketDataDir: null });
  });

  it('refuses live trading without keys', async () => {
    await expect(createExchange({ mode: 'live' }, deps)).rejects.toThrow(/EXCHANGE_API_KEY/);
  });

  it('trades live through the adapter at EXCHANGE_API_URL', async () => {
    const s = keep(await createExchange({ mode: 'live', apiUrl: emu.url, credentials: ApiCredentials.of(API_KEY, API_SECRET), adapter: FAST }, deps));
    expect(s.exchange).toBeInstanceOf(CcxtExchange);
    expect(s.exchange.mode).toBe('live');
    expect(s.description).toMatch(/LIVE/);
    const o = await s.exchange.createOrder({ clientOrderId: 'f-live-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 29_000 });
    expect(emu.state.allOrders().map((x) => x.clientOrderId)).toContain(o.clientOrderId);
  });

  it('gets the same market rules from the exchange as from the offline snapshot', async () => {
    const s = keep(await createExchange({ mode: 'live', apiUrl: emu.url, credentials: ApiCredentials.of(API_KEY, API_SECRET), adapter: FAST }, deps));
    const live = await s.exchange.loadMarkets();
    const snap = snapshotMarkets();
    expect([...live.keys()].sort()).toEqual([...snap.keys()].sort());
    for (const [sym, r] of snap) expect(live.get(sym), sym).toEqual(r);
  });

  it('offline paper: snapshot rules and a seeded synthetic series, and says so', async () => {
    const s = keep(await createExchange({ mode: 'paper', online: false }, deps));
    expect(s.exchange).toBeInstanceOf(PaperExchange);
    expect(s.marketsFrom).toBe('snapshot');
    expect(s.marketData?.kind).toBe('synthetic');
    expect(s.description).toMatch(/snapshot of 2025-06-30.*synthetic/);
    const o = await s.exchange.createOrder({ clientOrderId: 'syn-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 });
    expect(o.status).toBe('filled');
    expect((await s.exchange.fetchBalance()).USDT?.total).toBeLessThan(10_000);
  });

  it('online paper: the exchange\'s rules and live public prices', async () => {
    const s = keep(await createExchange({ mode: 'paper', apiUrl: emu.url, adapter: FAST, probeTimeoutMs: 500, paper: { slippage: 0 } }, deps));
    expect(s.marketsFrom).toBe('exchange');
    expect(s.marketData?.kind).toBe('live');
    expect((await s.exchange.fetchTicker('BTC/USDT')).last).toBe(30_000);
    const o = await s.exchange.createOrder({ clientOrderId: 'on-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 });
    expect(o).toMatchObject({ status: 'filled', average: 30_000 });
    expect(emu.state.allOrders().map((x) => x.clientOrderId)).not.toContain('on-1'); // paper never trades on the exchange
  });

  it.skipIf(!existsSync(resolve('../shared/data')))('paper with MARKET_DATA_DIR replays the candles on a data clock', async () => {
    const wall = new ManualClock(0);
    const s = keep(await createExchange({ mode: 'paper', online: false, marketDataDir: resolve('../shared/data'), replayStart: Date.parse('2022-01-01T00:00:00Z'), replaySpeed: 60 }, { clock: wall, random: Math.random }));
    expect(s.marketData?.kind).toBe('replay');
    expect(s.clock.now()).toBe(Date.parse('2022-01-01T00:00:00Z'));
    wall.advance(60_000);
    expect(s.clock.now()).toBe(Date.parse('2022-01-01T01:00:00Z'));
    expect((await s.exchange.fetchTicker('BTC/USDT')).last).toBeGreaterThan(40_000);
  });
});
