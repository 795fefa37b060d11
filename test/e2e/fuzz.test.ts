import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRegistry } from '../../src/commands/registry.js';
import { OWNER_ID, startHarness, type Harness } from '../helpers/bot-harness.js';

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'grid', 'dca', 'hybrid', 'trend', 'BTC/USDT', 'BTCUSDT', 'ETH/USDT', 'FOO/BAR', 'all', 'keep', 'cancel', '1', '0', '-1', '#2', '999999999999',
  'lines=500', 'lines=abc', 'lower=50000', 'upper=1', 'investment=-5', 'range_pct=200', 'take_profit=2', 'daily_loss=', '=5', 'x=y', 'today', '7d', '30d', 'all',
  '1y', '2022-01-01..2021-01-01', 'tf=7m', '<b>', '</i>', '&amp', '"quoted"', '🚀', 'a'.repeat(300), 'preset=nope', 'fill=loud', 'mode', 'live', 'paper', '\u0000',
];

describe('fuzz: random command lines and callback payloads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MARKET_DATA_DIR: '../shared/data', LOG_LEVEL: 'error' } });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('1,000 random inputs: every one answered, no crash, no trading state changed', async () => {
    const random = rng(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    // The owner, who may change things: the worst case for "no state change".
    const u = h.server.user(OWNER_ID);
    const names = fullRegistry().commands.map((c) => c.name).filter((n) => n !== 'backtest' && n !== 'optimize');
    const snapshot = async () => ({
      bots: await h.runtime.db.prisma.bot.count(),
      orders: await h.runtime.db.prisma.order.count(),
      fills: await h.runtime.db.prisma.fill.count(),
      limits: JSON.stringify(await h.runtime.db.prisma.setting.findUnique({ where: { key: 'risk:limits' } })),
      confirmationsUsed: await h.runtime.db.prisma.confirmation.count({ where: { usedAt: { not: null } } }),
    });
    const before = await snapshot();
    u.send('/help');
    const anchor = await u.nextMessage(/Commands/);
    let answered = 0;
    for (let i = 0; i < 1000; i++) {
      if (random() < 0.3) {
        // A forged callback: random prefix and payload, on a real bot message.
        const data = pick(['cf:', 'bot:', 'ask:', '', 'cf:AAAAAAAAAAAAAAAAAAAAAA:', 'bot:stop:']) + pick(TOKENS).slice(0, 40) + pick(['', ':y', ':n', ':1']);
        const q = u.sendCallback(data.slice(0, 64) || 'x', anchor);
        const answer = await u.answerOf(q.queryId, { timeoutMs: 10_000 });
        expect(answer.text ?? '', data).not.toMatch(/something went wrong/i);
      } else {
        const words = Array.from({ length: Math.floor(random() * 5) }, () => pick(TOKENS));
        const line = `/${random() < 0.9 ? pick(names) : pick(['nope', 'START', 'start_bots', 'help@other_bot'])} ${words.join(' ')}`.trim();
        u.send(line);
        const reply = await u.nextMessage(undefined, { timeoutMs: 15_000 });
        expect(reply.text ?? '', `${line}: ${String((h.errors.at(-1) as Error | undefined)?.stack ?? '')}`).not.toMatch(/something went wrong/i);
        // A confirmation may be asked for, but nobody presses it: nothing may change.
      }
      answered++;
    }
    expect(answered).toBe(1000);
    expect(h.errors).toEqual([]);
    const failedCalls = h.server.calls.filter((c) => !c.ok && !c.injected);
    expect(failedCalls.map((c) => `${c.method}: ${c.description}`)).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 300_000);
});
