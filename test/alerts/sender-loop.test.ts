// The sender's loop in real time: wake(), idle polling, stop() waiting for an in-flight send, and a
// scaled-down outage (0.8 s instead of 30 s) ridden out with exactly-once delivery.
import { Api } from 'grammy';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SendFn } from '../../src/alerts/deliver.js';
import { AlertSender, type AlertSenderOptions } from '../../src/alerts/sender.js';
import { telegramSend } from '../../src/alerts/telegram-send.js';
import { startFakeTelegram, type FakeTelegramServer, type FakeUser } from '../../src/dev/fake-telegram/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { expectExactlyOnce, MemoryLogger } from './harness.js';

let db: Database;
let server: FakeTelegramServer;
let users: FakeUser[];
let outbox: OutboxRepository;
let sender: AlertSender | undefined;

beforeAll(async () => {
  db = await openDatabase('pglite:memory');
  outbox = new OutboxRepository(db.prisma);
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.prisma.outbox.deleteMany();
  server = await startFakeTelegram({ floodControl: true });
  users = [2001, 2002, 2003].map((id) => server.user(id));
  for (const u of users) u.send('/start');
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  await server.close();
});

const make = (options: Partial<AlertSenderOptions> = {}, send?: SendFn, logger = new MemoryLogger()): AlertSender =>
  new AlertSender({ outbox, send: send ?? telegramSend(new Api(server.token, { apiRoot: server.apiRoot })), clock: systemClock, logger, options });

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

const sentOk = (): number => server.callsTo('sendMessage').filter((c) => c.ok).length;

describe('alert sender loop (real time)', () => {
  it('wake() drains at once; without it the loop would sleep for its idle poll', async () => {
    sender = make({ idlePollMs: 60_000 });
    sender.start();
    expect(sender.running).toBe(true);
    await new Promise((r) => setTimeout(r, 30)); // the loop is idle now, for up to a minute
    await outbox.enqueue({ chatId: users[0]!.id, kind: 'fill', text: 'woken' });
    sender.wake();
    const ms = await waitFor(() => sentOk() === 1, 10_000);
    expect(ms).toBeLessThan(5_000); // far below the minute it would otherwise sleep
    expect(users[0]!.lastBotMessage()!.text).toBe('woken');
  });

  it('polls for rows queued elsewhere (another process) without a wake', async () => {
    sender = make({ idlePollMs: 100 });
    sender.start();
    await new Promise((r) => setTimeout(r, 20));
    await outbox.enqueue({ chatId: users[1]!.id, kind: 'fill', text: 'polled' });
    await waitFor(() => sentOk() === 1, 2_000);
  });

  it('stop() waits for the send in flight and records it; nothing is sent after', async () => {
    const real = telegramSend(new Api(server.token, { apiRoot: server.apiRoot }));
    let release: () => void = () => undefined;
    let calls = 0;
    const gated: SendFn = async (chatId, html, o) => {
      calls += 1;
      await new Promise<void>((r) => (release = r));
      return real(chatId, html, o);
    };
    sender = make({ idlePollMs: 50 }, gated);
    await outbox.enqueue({ chatId: users[0]!.id, kind: 'fill', text: 'in flight' });
    sender.start();
    await waitFor(() => calls === 1);
    let stopped = false;
    const stopping = sender.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(sender.running).toBe(false);
    expect(await outbox.counts()).toEqual({ queued: 0, delivered: 1, parked: 0 });

    await outbox.enqueue({ chatId: users[0]!.id, kind: 'fill', text: 'after stop' });
    sender.wake();
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(1);
    expect(await outbox.counts()).toEqual({ queued: 1, delivered: 1, parked: 0 });
  });

  it('stop() while a claimed message waits for its pace releases it: sent later without a "repeated" note', async () => {
    sender = make({ idlePollMs: 50, limits: { globalPerWindow: 1, globalWindowMs: 2_000 } });
    await outbox.enqueueMany([
      { chatId: users[0]!.id, kind: 'fill', text: 'first' },
      { chatId: users[1]!.id, kind: 'fill', text: 'second' },
    ]);
    sender.start();
    await waitFor(() => sentOk() === 1);
    // The second is marked sendingAt and waits ~2 s for the global pace.
    await waitFor(async () => (await db.prisma.outbox.count({ where: { sendingAt: { not: null }, deliveredAt: null } })) === 1);
    await sender.stop();
    expect(await db.prisma.outbox.count({ where: { sendingAt: { not: null }, deliveredAt: null } })).toBe(0);
    expect(sentOk()).toBe(1);
    sender = make({ idlePollMs: 50 });
    sender.start();
    await waitFor(() => sentOk() === 2);
    expect(users[1]!.lastBotMessage()!.text).toBe('second');
  });

  it('rides out an outage in real time: backs off while it lasts, then delivers exactly once', async () => {
    const logger = new MemoryLogger();
    sender = make({ idlePollMs: 200, compose: { merge: false }, retry: { backoffBaseMs: 50, backoffMaxMs: 200 } }, undefined, logger);
    server.faults.startOutage(60_000, 'drop'); // ended by hand below, whatever the machine's speed
    await outbox.enqueueMany(Array.from({ length: 9 }, (_, i) => ({ chatId: users[i % 3]!.id, kind: 'exchange_down', text: `o${i}` })));
    sender.start();
    const dropped = (): number => server.callsTo('sendMessage').filter((c) => c.injected === 'drop').length;
    await waitFor(() => dropped() >= 4, 10_000);
    const endedAt = Date.now();
    server.faults.endOutage();
    await waitFor(async () => (await outbox.counts()).queued === 0, 10_000);
    const calls = server.callsTo('sendMessage');
    expect(calls.filter((c) => c.ok).every((c) => c.at >= endedAt)).toBe(true);
    // Connections dropped before Telegram handled the request: each alert is in its chat exactly once
    // (the resend carries a "may be a repeat" note, as it cannot know).
    expect(await expectExactlyOnce({ users }, db)).toEqual({ rows: 9, messages: 9 });
    for (const [i, u] of users.entries()) {
      expect(u.botMessages().map((m) => m.text!.split('\n')[0])).toEqual([`o${i}`, `o${i + 3}`, `o${i + 6}`]);
    }
    // Backed off: a few probes, not a busy loop.
    const failedAt = calls.filter((c) => c.injected === 'drop').map((c) => c.at);
    expect(failedAt.length).toBeLessThan(40);
    expect(logger.lines.some((l) => l.msg === 'Alert send failed; backing off')).toBe(true);
  });

  it('a failing database does not kill the loop: it logs, backs off and goes on', async () => {
    const logger = new MemoryLogger();
    let failures = 2;
    const flaky = Object.create(outbox) as OutboxRepository;
    flaky.due = async (now, limit) => {
      if (failures-- > 0) throw new Error('database unavailable');
      return outbox.due(now, limit);
    };
    sender = new AlertSender({
      outbox: flaky, clock: systemClock, logger,
      send: telegramSend(new Api(server.token, { apiRoot: server.apiRoot })),
      options: { idlePollMs: 50, retry: { backoffBaseMs: 20, backoffMaxMs: 50 } },
    });
    await outbox.enqueue({ chatId: users[2]!.id, kind: 'bot_error', text: 'still here' });
    sender.start();
    await waitFor(() => sentOk() === 1, 3_000);
    expect(logger.lines.filter((l) => l.msg === 'Alert drain failed; retrying later')).toHaveLength(2);
  });
});
