// The alert sender over real HTTP (grammY Api) against the fake Bot API server, on virtual time:
// order, merging, 429s, outages, flood control, restarts, refusals. Nothing lost, nothing sent twice.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertOwners } from '../../src/alerts/notify.js';
import { REPEATED_NOTE } from '../../src/alerts/compose.js';
import { telegramSend } from '../../src/alerts/telegram-send.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { UserRepository } from '../../src/store/users.js';
import { expectExactlyOnce, startRig, T0, type Rig } from './harness.js';

const NO_MERGE = { compose: { merge: false } };

let db: Database;
let rig: Rig;

beforeAll(async () => {
  db = await openDatabase('pglite:memory');
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.prisma.outbox.deleteMany();
  await db.prisma.user.deleteMany();
  await db.prisma.setting.deleteMany();
});
afterEach(async () => {
  await rig?.close();
});

describe('alert sender', () => {
  it('delivers each chat in order and marks every row with its message id', async () => {
    rig = await startRig(db, { users: 3 });
    const [a, b, c] = rig.users as [typeof rig.users[0], typeof rig.users[0], typeof rig.users[0]];
    const alerts = Array.from({ length: 12 }, (_, i) => ({ chatId: rig.users[i % 3]!.id, kind: 'fill', text: `<b>fill</b> #${i}` }));
    await rig.enqueue(alerts);
    const sender = rig.newSender(NO_MERGE);
    await rig.drainAll(sender);

    expect(rig.botTexts(a)).toEqual(['fill #0', 'fill #3', 'fill #6', 'fill #9']);
    expect(rig.botTexts(b)).toEqual(['fill #1', 'fill #4', 'fill #7', 'fill #10']);
    expect(rig.botTexts(c)).toEqual(['fill #2', 'fill #5', 'fill #8', 'fill #11']);
    expect(a.botMessages()[0]!.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]); // sent as HTML
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 12, messages: 12 });
    expect(rig.sentOk()).toBe(12);
    expect(await rig.outbox.counts()).toEqual({ queued: 0, delivered: 12, parked: 0 });
    expect(sender.stats).toMatchObject({ messages: 12, delivered: 12, parked: 0 });
  });

  it('merges a burst of 40 due fills for a chat into one message and marks all 40 delivered with its id', async () => {
    rig = await startRig(db, { users: 2 });
    const [ann, bob] = rig.users as [typeof rig.users[0], typeof rig.users[0]];
    await rig.enqueue(Array.from({ length: 40 }, (_, i) => ({ chatId: ann.id, kind: 'fill', text: `Bought <b>0.0${i}</b> BTC` })));
    await rig.enqueue([{ chatId: bob.id, kind: 'fill', text: 'Bob alone' }]);
    const sender = rig.newSender();
    await rig.drainAll(sender);

    expect(rig.sentOk()).toBe(2);
    const [merged] = rig.botTexts(ann);
    expect(rig.botTexts(ann)).toHaveLength(1);
    const lines = merged!.split('\n');
    expect(lines[0]).toBe('40 fill alerts');
    expect(lines.slice(1, 21)).toEqual(Array.from({ length: 20 }, (_, i) => `• Bought 0.0${i} BTC`));
    expect(lines[21]).toBe('… and 20 more: 20 fill');
    expect(lines).toHaveLength(22);
    expect(merged!.length).toBeLessThanOrEqual(4096);
    expect(rig.botTexts(bob)).toEqual(['Bob alone']); // a run of one is sent as it is
    const rows = await rig.outbox.listForChat(ann.id);
    expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set([ann.botMessages()[0]!.message_id]));
    expect(rows.every((r) => r.deliveredAt !== null)).toBe(true);
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 41, messages: 2 });
  });

  it('40 fills arriving over 2 s: the first goes at once, the rest wait for the chat\'s pace and go as one', async () => {
    rig = await startRig(db, { users: 1 });
    const ann = rig.users[0]!;
    const sender = rig.newSender({ limits: { chatBurst: 1, chatPerSecond: 1 } });
    for (let i = 0; i < 40; i++) {
      await rig.enqueue([{ chatId: ann.id, kind: i % 10 === 9 ? 'take_profit' : 'fill', text: `event ${i}` }]);
      await sender.drainOnce(); // as the running loop does after wake()
      rig.clock.advance(50);
    }
    await rig.drainAll(sender);
    const list = (from: number, to: number): string =>
      Array.from({ length: to - from + 1 }, (_, k) => `• event ${from + k}`).join('\n');
    // t = 0: event 0 alone. The chat's next slot is at 1 s: events 1-20 (enqueued by then) as one
    // message; at 2 s the remaining 19.
    expect(rig.botTexts(ann)).toEqual(['event 0', `20 alerts\n${list(1, 20)}`, `19 alerts\n${list(21, 39)}`]);
    const at = rig.server.callsTo('sendMessage').map((c) => c.at - T0);
    expect(at).toEqual([0, 1_000, 2_000]);
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 40, messages: 3 });
  });

  it('keeps long alerts (reports) apart and never exceeds 4096 characters', async () => {
    rig = await startRig(db, { users: 1 });
    const ann = rig.users[0]!;
    const report = `<b>Daily summary</b>\n${'P&amp;L line\n'.repeat(80)}`;
    await rig.enqueue([
      { chatId: ann.id, kind: 'fill', text: 'f1' },
      { chatId: ann.id, kind: 'fill', text: 'f2' },
      { chatId: ann.id, kind: 'daily_summary', text: report, silent: true },
      { chatId: ann.id, kind: 'fill', text: 'x'.repeat(590) },
      { chatId: ann.id, kind: 'fill', text: 'y'.repeat(590) },
      ...Array.from({ length: 10 }, () => ({ chatId: ann.id, kind: 'fill', text: 'z'.repeat(590) })),
    ]);
    await rig.drainAll(rig.newSender());
    const texts = rig.botTexts(ann);
    expect(texts[0]).toBe('2 fill alerts\n• f1\n• f2');
    expect(texts[1]).toContain('Daily summary');
    expect(texts[2]).toMatch(/^12 fill alerts\n• x{590}\n• y{590}\n(• z{590}\n){4}… and 6 more: 6 fill$/);
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    const calls = rig.server.callsTo('sendMessage');
    expect(calls.map((c) => c.params.disable_notification)).toEqual([false, true, false]);
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 15, messages: 3 });
  });

  it('sends a single alert longer than 4096 characters in parts, all of them delivered', async () => {
    rig = await startRig(db, { users: 1 });
    const ann = rig.users[0]!;
    await rig.enqueue([{ chatId: ann.id, kind: 'daily_summary', text: Array.from({ length: 400 }, (_, i) => `line ${i} ${'.'.repeat(10)}`).join('\n') }]);
    await rig.drainAll(rig.newSender());
    const texts = rig.botTexts(ann);
    expect(texts.length).toBe(2);
    expect(texts.join('\n').split('\n')).toHaveLength(400);
    const [row] = await rig.outbox.listForChat(ann.id);
    expect(row!.messageId).toBe(ann.botMessages()[0]!.message_id);
  });

  it('retries 429s after retry_after: nothing lost, nothing duplicated', async () => {
    rig = await startRig(db, { users: 3 });
    await rig.enqueue(Array.from({ length: 9 }, (_, i) => ({ chatId: rig.users[i % 3]!.id, kind: 'fill', text: `n${i}` })));
    rig.server.faults.rateLimit({ method: 'sendMessage', times: 4, retryAfter: 7 });
    const sender = rig.newSender(NO_MERGE);
    await rig.drainAll(sender);

    const calls = rig.server.callsTo('sendMessage');
    const limited = calls.filter((c) => c.injected === 'rate-limit');
    expect(limited).toHaveLength(4);
    for (const l of limited) {
      const retry = calls.find((c) => c.seq > l.seq && c.params.chat_id === l.params.chat_id);
      expect(retry!.at - l.at).toBeGreaterThanOrEqual(7_000); // honoured retry_after
    }
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 9, messages: 9 });
    for (const [i, u] of rig.users.entries()) expect(rig.botTexts(u)).toEqual([`n${i}`, `n${i + 3}`, `n${i + 6}`]);
    expect(sender.stats.rateLimited).toBe(4);
    const rows = await db.prisma.outbox.findMany();
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(4);
    expect(rows.filter((r) => r.lastError !== null).every((r) => r.lastError!.startsWith('429'))).toBe(true);
  });

  it('rides out a 30 s outage (502s): backs off, then delivers everything exactly once', async () => {
    rig = await startRig(db, { users: 3 });
    rig.server.faults.startOutage(30_000);
    await rig.enqueue(Array.from({ length: 15 }, (_, i) => ({ chatId: rig.users[i % 3]!.id, kind: 'exchange_down', text: `e${i}` })));
    const sender = rig.newSender(NO_MERGE);
    await rig.drainAll(sender);

    const calls = rig.server.callsTo('sendMessage');
    const failed = calls.filter((c) => c.injected === 'server-error').map((c) => c.at - T0);
    // Probes in rounds (the chats in flight together fail together), one round per back-off of
    // 1, 2, 4, 8, 16 s: not 15 alerts hammering a server that is down.
    const rounds = failed.filter((t, i) => i === 0 || t - failed[i - 1]! > 500);
    expect(rounds).toHaveLength(5);
    const gaps = rounds.slice(1).map((t, i) => t - rounds[i]!);
    [1_000, 2_000, 4_000, 8_000].forEach((g, i) => expect(Math.abs(gaps[i]! - g)).toBeLessThan(200));
    expect(failed.length).toBeLessThanOrEqual(15);
    const firstOk = calls.find((c) => c.ok)!.at - T0;
    expect(firstOk).toBeGreaterThanOrEqual(30_000);
    expect(firstOk).toBeLessThan(32_000);
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 15, messages: 15 });
    for (const [i, u] of rig.users.entries()) expect(rig.botTexts(u)).toEqual([0, 1, 2, 3, 4].map((k) => `e${i + 3 * k}`));
    expect(rig.logger.lines.filter((l) => l.msg === 'Alert send failed; backing off').length).toBe(failed.length);
    expect(sender.stats.delivered).toBe(15);
  });

  it('keeps within flood control (1/s per chat, ~30/s overall): zero 429s, exactly once', async () => {
    rig = await startRig(db, { users: 40, floodControl: true });
    await rig.enqueue(rig.users.flatMap((u) => Array.from({ length: 4 }, (_, k) => ({ chatId: u.id, kind: 'fill', text: `${u.id}/${k}` }))));
    const sender = rig.newSender(NO_MERGE);
    await rig.drainAll(sender);

    expect(rig.floodRefusals()).toBe(0);
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 160, messages: 160 });
    const times = rig.server.callsTo('sendMessage').map((c) => c.at);
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(30);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    expect(160 / span).toBeGreaterThan(24); // and not needlessly slow: close to the global limit
  });

  it('(control) without pacing the same load draws flood-control 429s, yet still delivers exactly once', async () => {
    rig = await startRig(db, { users: 40, floodControl: true });
    await rig.enqueue(rig.users.flatMap((u) => Array.from({ length: 4 }, (_, k) => ({ chatId: u.id, kind: 'fill', text: `${u.id}/${k}` }))));
    const unpaced = { globalPerWindow: 10_000, globalWindowMs: 1_000, globalGapMs: 0, chatPerSecond: 10_000, chatBurst: 10_000 };
    await rig.drainAll(rig.newSender({ ...NO_MERGE, limits: unpaced }));
    expect(rig.floodRefusals()).toBeGreaterThan(0);
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 160, messages: 160 });
  });

  it('an interrupted alert that then meets a 429 still says "repeated" when it finally goes', async () => {
    rig = await startRig(db, { users: 1 });
    const ann = rig.users[0]!;
    await rig.enqueue([{ chatId: ann.id, kind: 'fill', text: 'maybe seen' }]);
    // An earlier process was killed while sending it: the row keeps sendingAt.
    await db.prisma.outbox.updateMany({ data: { sendingAt: new Date(T0) } });
    rig.server.faults.rateLimit({ method: 'sendMessage', times: 1, retryAfter: 3 });
    await rig.drainAll(rig.newSender(NO_MERGE));
    expect(rig.botTexts(ann)).toEqual([`maybe seen\n${strip(REPEATED_NOTE)}`]);
    expect(await rig.outbox.counts()).toEqual({ queued: 0, delivered: 1, parked: 0 });
  });

  it('a new sender after a crash mid-send resends the interrupted row once, marked, and duplicates nothing else', async () => {
    rig = await startRig(db, { users: 2 });
    const [ann, bob] = rig.users as [typeof rig.users[0], typeof rig.users[0]];
    await rig.enqueue([
      { chatId: ann.id, kind: 'stop_loss', text: 'ann 1' },
      { chatId: ann.id, kind: 'fill', text: 'ann 2' },
      { chatId: bob.id, kind: 'fill', text: 'bob 1' },
    ]);
    // The first process hangs in its first send (as if killed there); the request never reached Telegram.
    let release: (e: Error) => void = () => undefined;
    const stuck = rig.newSender({ ...NO_MERGE, maxInFlight: 1 }, () => new Promise((_, reject) => (release = reject)));
    const abandoned = stuck.drainOnce();
    await waitFor(async () => (await db.prisma.outbox.count({ where: { sendingAt: { not: null } } })) === 1);

    const second = rig.newSender(NO_MERGE);
    await rig.drainAll(second);
    expect(rig.botTexts(ann)).toEqual([`ann 1\n${strip(REPEATED_NOTE)}`, 'ann 2']);
    expect(rig.botTexts(bob)).toEqual(['bob 1']);
    expect(await expectExactlyOnce(rig, db)).toEqual({ rows: 3, messages: 3 });

    // The dead process's send finally fails: it must not undo the delivery.
    release(new Error('process killed'));
    await abandoned;
    expect(await rig.outbox.counts()).toEqual({ queued: 0, delivered: 3, parked: 0 });
  });

  it('a crash after Telegram accepted but before deliveredAt was written: one repeat, marked as such', async () => {
    rig = await startRig(db, { users: 1 });
    const ann = rig.users[0]!;
    await rig.enqueue([{ chatId: ann.id, kind: 'fill', text: 'only once?' }]);
    const real = telegramSend(rig.api);
    const dying = rig.newSender({}, async (chatId, html, o) => {
      await real(chatId, html, o);
      return new Promise(() => undefined); // the process dies before recording the delivery
    });
    void dying.drainOnce();
    await waitFor(() => rig.sentOk() === 1);
    await rig.drainAll(rig.newSender());
    expect(rig.botTexts(ann)).toEqual(['only once?', `only once?\n${strip(REPEATED_NOTE)}`]);
    expect(await rig.outbox.counts()).toEqual({ queued: 0, delivered: 1, parked: 0 });
  });

  it('a connection lost mid-request is retried and the retry says it may be a repeat', async () => {
    rig = await startRig(db, { users: 1 });
    const ann = rig.users[0]!;
    await rig.enqueue([{ chatId: ann.id, kind: 'fill', text: 'dropped' }]);
    rig.server.faults.drop({ method: 'sendMessage', afterHandling: true });
    await rig.drainAll(rig.newSender());
    expect(rig.botTexts(ann)).toEqual(['dropped', `dropped\n${strip(REPEATED_NOTE)}`]);
    const [row] = await rig.outbox.listForChat(ann.id);
    expect(row).toMatchObject({ attempts: 1, messageId: ann.botMessages()[1]!.message_id });
    expect(row!.lastError).toMatch(/^network: /);
  });

  it('parks an alert Telegram keeps refusing (403) after 3 tries, logs it, and goes on with other chats', async () => {
    rig = await startRig(db, { users: 1 });
    const stranger = rig.server.user(5005); // never wrote to the bot: 403 "bot can't initiate conversation"
    await rig.enqueue([
      { chatId: stranger.id, kind: 'fill', text: 's1' },
      { chatId: stranger.id, kind: 'fill', text: 's2' },
      { chatId: rig.users[0]!.id, kind: 'fill', text: 'fine' },
    ]);
    const sender = rig.newSender();
    await rig.drainAll(sender);
    expect(rig.botTexts(rig.users[0]!)).toEqual(['fine']);
    const refused = rig.server.callsTo('sendMessage').filter((c) => c.status === 403);
    expect(refused).toHaveLength(3); // the merged pair, tried 3 times (a chat-wide refusal is not split)
    expect(refused[1]!.at - refused[0]!.at).toBe(10_000);
    expect(refused[2]!.at - refused[1]!.at).toBe(20_000);
    expect(await rig.outbox.counts()).toEqual({ queued: 0, delivered: 1, parked: 2 });
    const parked = await rig.outbox.parked();
    expect(parked.map((r) => r.lastError)).toEqual([
      "permanent 3/3: 403 Forbidden: bot can't initiate conversation with a user",
      "permanent 3/3: 403 Forbidden: bot can't initiate conversation with a user",
    ]);
    expect(rig.logger.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'Telegram keeps refusing an alert; parked it (kept in the outbox, not retried)',
    ]);
    // Once the user writes to the bot, the app requeues the parked alerts and they arrive.
    stranger.send('/start');
    expect(await rig.outbox.requeueParked(new Date(rig.clock.now()), stranger.id)).toBe(2);
    await rig.drainAll(sender);
    expect(rig.botTexts(stranger)).toEqual(['2 fill alerts\n• s1\n• s2']);
  });

  it('one alert with broken markup in a burst: the others go one by one, only the bad one is parked', async () => {
    rig = await startRig(db, { users: 1 });
    const ann = rig.users[0]!;
    await rig.enqueue([
      { chatId: ann.id, kind: 'fill', text: 'good 1' },
      { chatId: ann.id, kind: 'fill', text: '<b>broken' },
      { chatId: ann.id, kind: 'fill', text: 'good 2' },
    ]);
    await rig.drainAll(rig.newSender());
    expect(rig.botTexts(ann)).toEqual(['good 1', 'good 2']);
    const parked = await rig.outbox.parked();
    expect(parked.map((r) => r.text)).toEqual(['<b>broken']);
    expect(parked[0]!.lastError).toMatch(/^permanent 3\/3: 400 Bad Request: can't parse entities/);
    expect(await rig.outbox.counts()).toEqual({ queued: 0, delivered: 2, parked: 1 });
  });

  it('never sends an alert whose transaction rolled back', async () => {
    rig = await startRig(db, { users: 2 });
    await new UserRepository(db.prisma).upsertOwners(rig.users.map((u) => u.id));
    await expect(
      db.prisma.$transaction(async (tx) => {
        await alertOwners(tx, { kind: 'risk', text: 'rolled back' });
        throw new Error('the trade failed to save');
      }),
    ).rejects.toThrow('the trade failed to save');
    await db.prisma.$transaction((tx) => alertOwners(tx, { kind: 'risk', text: 'committed', dedupeKey: 'risk:1' }));
    await rig.drainAll(rig.newSender());
    for (const u of rig.users) expect(rig.botTexts(u)).toEqual(['committed']);
    expect(rig.sentOk()).toBe(2);
  });

  it('drains never overlap: two concurrent drainOnce calls send a due alert once', async () => {
    rig = await startRig(db, { users: 1 });
    await rig.enqueue([{ chatId: rig.users[0]!.id, kind: 'fill', text: 'once' }]);
    const sender = rig.newSender();
    const [a, b] = await Promise.all([sender.drainOnce(), sender.drainOnce()]);
    expect(a.messages + b.messages).toBe(1);
    expect(rig.sentOk()).toBe(1);
  });
});

const strip = (markup: string): string => markup.replace(/<[^>]+>/g, '');

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
