import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OWNER_ID, startHarness, type Harness } from '../helpers/bot-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'trading-e2e-'));
const env = { DATABASE_URL: `pglite:${join(dir, 'db')}`, MARKET_DATA_DIR: '../shared/data' };
// An hour of candles per second, a tick every second: a grid trades within seconds.
const yaml = 'trading:\n  tickSeconds: 1\npaper:\n  replaySpeed: 3600\ntelegram:\n  maxRetryAttempts: 3\n  maxRetryDelaySeconds: 2\n';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trading from Telegram on the paper exchange replaying real candles', () => {
  let h: Harness | null = null;
  afterAll(async () => {
    await h?.close();
  });

  it('starts a grid after a confirmation, pushes fill alerts, shows positions, and /stop_all halts it across a restart', async () => {
    h = await startHarness({ env, yaml });
    const u = h.server.user(OWNER_ID);
    u.send('/start_bot grid BTCUSDT lines=10 range_pct=5 investment=1000');
    const plan = await u.nextMessage(/Start grid on BTC\/USDT\?/);
    expect(plan.text).toContain('Paper trading');
    expect(plan.text).toMatch(/10 geometric lines|10 arithmetic lines/);

    // Forged button data changes nothing.
    const confirmData = (plan.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data;
    const forged = u.sendCallback(confirmData.replace(/:y$/, 'x:y'), plan);
    expect((await u.answerOf(forged.queryId)).text).toMatch(/not valid|unknown|no longer/i);
    u.press('confirm');
    await u.nextEdit(/Bot #1 started/, { timeoutMs: 30_000 });

    // A replayed press of the same button is refused.
    const again = u.sendCallback(confirmData, plan);
    expect((await u.answerOf(again.queryId)).text).toMatch(/already used/i);
    expect(await h.runtime.db.prisma.bot.count()).toBe(1);

    // Fill alerts arrive through the outbox.
    const alert = await u.nextMessage(/Bought|Sold|alerts/, { timeoutMs: 30_000 });
    expect(alert.text).toMatch(/#1 grid BTC\/USDT/);

    u.send('/positions');
    const pos = await u.nextMessage(/Positions/, { timeoutMs: 30_000 });
    expect(pos.text).toMatch(/#1 BTC\/USDT 0\.\d*[1-9]\d* BTC · \d+\.\d{2} → \d+\.\d{2} · [+-]\d+\.\d{2} USDT/);

    u.send('/stop_all');
    await u.nextMessage(/Stop everything\?/, { timeoutMs: 30_000 });
    u.press('confirm');
    await u.nextMessage(/sell every bot's holdings/, { timeoutMs: 30_000 });
    const report = await u.nextEdit(/Everything stopped/, { timeoutMs: 30_000 });
    expect(report.text).toMatch(/#1 grid BTC\/USDT: \d+ order\(s\) cancelled/);
    u.press('keep');
    await u.nextEdit(/Cancelled/, { timeoutMs: 30_000 });

    u.send('/orders');
    expect((await u.nextMessage(/open orders/i)).text).toBe('No open orders.');
    expect(h.server.unansweredCallbacks()).toEqual([]);
    expect(h.errors).toEqual([]);
    await h.close();

    // Restart on the same database: still halted, still no orders, and new bots are refused.
    h = await startHarness({ env, yaml });
    const u2 = h.server.user(OWNER_ID);
    u2.send('/bots');
    expect((await u2.nextMessage(/Bots/, { timeoutMs: 30_000 })).text).toMatch(/#1 grid BTC\/USDT · 🛑 halted/);
    u2.send('/start_bot grid BTC/USDT');
    await u2.nextMessage(/Start grid/, { timeoutMs: 30_000 });
    u2.press('confirm');
    expect((await u2.nextEdit(/halted|Not done/, { timeoutMs: 30_000 })).text).toMatch(/Not done|halted/);
    u2.send('/orders');
    expect((await u2.nextMessage(/open orders/i)).text).toBe('No open orders.');
  }, 120_000);
});
