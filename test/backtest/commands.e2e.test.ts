/**
 * /backtest and /optimize end to end: the real bot against the fake Bot API server, the service on
 * worker threads over ../shared/data. The chat stays usable while a job runs.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPresets } from '../../src/app/bots/presets.js';
import { BacktestService } from '../../src/backtest/service.js';
import type { App } from '../../src/app/app.js';
import { backtestCommandFor, fromApp } from '../../src/commands/backtest.js';
import { buildRegistry } from '../../src/commands/registry.js';
import { optimizeCommandFor } from '../../src/commands/optimize.js';
import { systemClock } from '../../src/lib/clock.js';
import { OWNER_ID, startHarness, type Harness } from '../helpers/bot-harness.js';
import { SHARED_DATA } from './helpers/data.js';

describe('/backtest and /optimize in chat', () => {
  let h: Harness;
  let service: BacktestService | null = null;
  const errors: unknown[] = [];
  beforeAll(async () => {
    // Once the lead registers the commands (and app.backtest) in the runtime, those are used, with
    // the same data and limit from the environment and config below; until then, these copies.
    const builtIn = buildRegistry().commands.some((c) => c.name === 'backtest');
    const lookup = (app: App) => fromApp(app) ?? service;
    const opts = { editIntervalMs: 0, onError: (e: unknown) => errors.push(e) };
    h = await startHarness({
      env: { MARKET_DATA_DIR: SHARED_DATA },
      yaml: 'telegram:\n  maxRetryAttempts: 3\n  maxRetryDelaySeconds: 2\nbacktest:\n  maxOptimizeRuns: 8\n',
      ...(builtIn ? {} : { extend: { commands: [backtestCommandFor(lookup, opts), optimizeCommandFor(lookup, opts)] } }),
    });
    service = new BacktestService({
      clock: systemClock,
      marketDataDir: SHARED_DATA,
      prisma: h.runtime.db.prisma,
      presets: loadPresets(join(import.meta.dirname, '../../configs/presets')),
      maxOptimizeRuns: 8,
    });
  });
  afterAll(async () => {
    await service?.whenIdle();
    await service?.close();
    await h?.close();
  });

  it('/backtest dca 7d: progress, then a result table and the chart as a photo; the chat stays usable', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/backtest dca 7d');
    const progress = await u.nextMessage(/⏳ Backtest dca 7d: starting/);
    // While it runs: another command is answered, and a second backtest is refused clearly.
    u.send('/backtest grid 30d');
    expect((await u.nextMessage(/⚠️/)).text).toMatch(/^⚠️ You already have a backtest \(dca 7d\) running; wait for its result, then try again\.$/);
    const table = await u.nextMessage(/📊 Backtest dca BTC\/USDT/, { timeoutMs: 30_000 });
    expect(table.text).toMatch(/Net profit +[+-]\d+\.\d\d USDT/);
    expect(table.text).toMatch(/Buy and hold/);
    expect(table.text).toMatch(/Max drawdown/);
    expect(table.text).toMatch(/Sharpe -?\d+\.\d\d · Sortino/);
    expect(table.text).toMatch(/data: binance_BTCUSDT_1m_2025-07-01_2026-07-01\.csv\.gz, 2026-06-24\.\.2026-07-01/);
    expect(table.text).toMatch(/7d = 2026-06-24\.\.2026-07-01: the 7d ending where the available data ends/);
    expect(table.text).toMatch(/Assumptions:[\s\S]*trades through them/);
    expect(table.entities?.some((e) => e.type === 'pre')).toBe(true);
    const photo = await u.nextEvent((e) => e.kind === 'photo', { timeoutMs: 10_000 });
    expect(photo.kind === 'photo' && photo.bytes).toBeGreaterThan(20_000);
    expect(photo.kind === 'photo' && photo.caption).toMatch(/equity against buy-and-hold/);
    const edited = h.server.callsTo('editMessageText').map((c) => String(c.params.text));
    expect(edited.some((t) => /^✅ Backtest dca 7d: done in \d+\.\d s \(run #\d+\)\.$/.test(t))).toBe(true);
    expect(progress.message_id).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('/status is answered while a long backtest runs', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/backtest grid BTC/USDT 2022-01-01..2023-01-01 tf=1m lower=16000 upper=48000 lines=20 investment=10000');
    await u.nextMessage(/⏳ Backtest grid BTC\/USDT/);
    const t0 = Date.now();
    u.send('/status');
    await u.nextMessage(/Status/);
    const answeredIn = Date.now() - t0;
    await u.nextMessage(/📊 Backtest grid BTC\/USDT/, { timeoutMs: 40_000 });
    expect(answeredIn).toBeLessThan(1_000);
    await u.nextEvent((e) => e.kind === 'photo', { timeoutMs: 10_000 });
  });

  it('/backtest with bad input answers one sentence', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/backtest dca');
    expect((await u.nextMessage()).text).toMatch(/^⚠️ Which period\? e\.g\. 7d, 30d, 90d, 1y/);
    u.send('/backtest grid BTC/USDT 30d lines=1');
    const out = await u.nextMessageOrEdit(/⚠️ Backtest grid BTC\/USDT 30d: /, { timeoutMs: 20_000 });
    expect(out.text).toMatch(/lines=1 is below the minimum of 2/);
  });

  it('/optimize: progress, top 5 and the overfitting warning', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/optimize grid BTC/USDT 30d investment=1000 lines=10..20:10 range_pct=4,8');
    await u.nextMessage(/⏳ Sweep grid BTC\/USDT 30d \(4 runs\): starting/);
    const res = await u.nextMessage(/🔬 Sweep grid BTC\/USDT/, { timeoutMs: 30_000 });
    expect(res.text).toMatch(/Top \d of 4 by Sharpe:/);
    expect(res.text).toMatch(/ 1\. lines=\d+ range_pct=\d+/);
    expect(res.text).toMatch(/overfitting/);
    expect(res.text).toMatch(/Try the best on another period: \/backtest grid BTC\/USDT 30d lines=/);
    u.send('/optimize grid BTC/USDT 30d lines=10..50:10 range_pct=4,8');
    expect((await u.nextMessage()).text).toMatch(/^⚠️ That is 10 runs \(lines: 5 × range_pct: 2\); the limit is 8\. Use bigger steps or fewer keys\.$/);
  });
});
