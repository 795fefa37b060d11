/**
 * alerts.throughput (messages/s): a few hundred alerts to 50 chats through the fake Bot API server with
 * Telegram's flood control modelled (30/s overall, 1/s per private chat), drained by the real
 * AlertSender over HTTP (grammY). Merging is off so every alert is its own message. Details: drops
 * (alerts never delivered), duplicates (messages no alert accounts for), flood_429 (refusals by
 * flood control: 0 when the sender paces right), peak rates seen by the server.
 */
import { Api } from 'grammy';
import { DEFAULT_PACE_LIMITS } from '../src/alerts/pacer.js';
import { AlertSender } from '../src/alerts/sender.js';
import { telegramSend } from '../src/alerts/telegram-send.js';
import { startFakeTelegram } from '../src/dev/fake-telegram/index.js';
import { systemClock } from '../src/lib/clock.js';
import { openDatabase } from '../src/store/database.js';
import { OutboxRepository } from '../src/store/outbox.js';
import type { Benchmark, BenchResult } from './types.js';

const CHATS = 50;
const L = DEFAULT_PACE_LIMITS;
const PER_CHAT = 6;

/** Most events in any window of `ms` ending at an event. */
function peak(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[lo]! <= sorted[hi]! - ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

async function run(): Promise<BenchResult[]> {
  const db = await openDatabase('pglite:memory');
  const server = await startFakeTelegram({ floodControl: true });
  const sender = new AlertSender({
    outbox: new OutboxRepository(db.prisma),
    send: telegramSend(new Api(server.token, { apiRoot: server.apiRoot })),
    clock: systemClock,
    options: { compose: { merge: false }, idlePollMs: 200 },
  });
  try {
    const users = Array.from({ length: CHATS }, (_, i) => server.user(5_000 + i));
    for (const u of users) u.send('/start');
    const outbox = new OutboxRepository(db.prisma);
    await outbox.enqueueMany(
      Array.from({ length: CHATS * PER_CHAT }, (_, i) => ({ chatId: users[i % CHATS]!.id, kind: 'fill', text: `<b>fill</b> #${i}` })),
    );
    const total = CHATS * PER_CHAT;
    const started = performance.now();
    sender.start();
    const deadline = started + 120_000;
    while ((await outbox.counts()).queued > 0) {
      if (performance.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await sender.stop();

    const rows = await db.prisma.outbox.findMany();
    const delivered = rows.filter((r) => r.deliveredAt !== null);
    const messages = users.reduce((n, u) => n + u.botMessages().length, 0);
    const calls = server.callsTo('sendMessage');
    const ok = calls.filter((c) => c.ok);
    const perChatPeak = Math.max(...users.map((u) => peak(ok.filter((c) => c.params.chat_id === u.id).map((c) => c.at), 1000)));
    const okSpan = (Math.max(...ok.map((c) => c.at)) - Math.min(...ok.map((c) => c.at))) / 1000;
    return [
      {
        bench: 'alerts.throughput',
        value: Math.round((delivered.length / seconds) * 10) / 10,
        unit: 'messages/s',
        alerts: total,
        chats: CHATS,
        delivered: delivered.length,
        drops: total - delivered.length,
        duplicates: messages - new Set(delivered.map((r) => `${r.chatId}:${r.messageId}`)).size,
        flood_429: calls.filter((c) => c.injected === 'flood-control').length,
        seconds: Math.round(seconds * 100) / 100,
        sustained_send_rate: Math.round(((ok.length - 1) / okSpan) * 10) / 10,
        peak_per_second_overall: peak(ok.map((c) => c.at), 1000),
        peak_per_second_one_chat: perChatPeak,
        server_limits: '30/s overall (sliding second), 1/s per private chat (burst 3)',
        sender_pace: `${L.globalPerWindow} per ${L.globalWindowMs} ms overall (${L.globalGapMs} ms apart), ${L.chatPerSecond}/s per chat (burst ${L.chatBurst})`,
      },
    ];
  } finally {
    await sender.stop();
    await server.close();
    await db.close();
  }
}

const alerts: Benchmark = { names: ['alerts.throughput'], run };

export default [alerts];
