// A fake Bot API server and the alert sender on a shared ManualClock, over real HTTP through grammY.
// Sleeping advances the clock (virtual time) once the sends in flight have been answered, so a 30 s
// outage takes milliseconds and the fake's flood control sees the times the sender meant.
import { Api } from 'grammy';
import type { Message } from 'grammy/types';
import { AlertSender, type AlertSenderOptions, type Sleep } from '../../src/alerts/sender.js';
import type { AlertLogger, SendFn } from '../../src/alerts/deliver.js';
import { telegramSend } from '../../src/alerts/telegram-send.js';
import { startFakeTelegram, type FakeTelegramServer, type FakeUser } from '../../src/dev/fake-telegram/index.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { Database } from '../../src/store/database.js';
import { OutboxRepository, type OutboxAlert } from '../../src/store/outbox.js';

export const T0 = Date.parse('2026-03-01T12:00:00Z');

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  obj: Record<string, unknown>;
}

export class MemoryLogger implements AlertLogger {
  readonly lines: LogLine[] = [];
  info(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'info', msg, obj });
  }
  warn(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'warn', msg, obj });
  }
  error(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'error', msg, obj });
  }
}

export interface Rig {
  clock: ManualClock;
  server: FakeTelegramServer;
  api: Api;
  outbox: OutboxRepository;
  logger: MemoryLogger;
  /** Users 1001, 1002 ... who have written to the bot (so it may write to them). */
  users: FakeUser[];
  newSender(options?: Partial<AlertSenderOptions>, send?: SendFn): AlertSender;
  enqueue(alerts: OutboxAlert[]): Promise<number>;
  /** drainOnce, then jump the clock to the next due time, until nothing is queued. */
  drainAll(sender: AlertSender, maxRounds?: number): Promise<void>;
  /** Successful sendMessage calls the fake answered. */
  sentOk(): number;
  floodRefusals(): number;
  botTexts(user: FakeUser): string[];
  close(): Promise<void>;
}

export const USER_BASE = 1001;

export async function startRig(db: Database, opts: { users?: number; floodControl?: boolean } = {}): Promise<Rig> {
  const clock = new ManualClock(T0);
  const server = await startFakeTelegram({ clock, floodControl: opts.floodControl ?? false });
  const users = Array.from({ length: opts.users ?? 3 }, (_, i) => server.user(USER_BASE + i));
  for (const u of users) u.send('/start');
  const api = new Api(server.token, { apiRoot: server.apiRoot });
  const outbox = new OutboxRepository(db.prisma);
  const logger = new MemoryLogger();

  const newSender = (options: Partial<AlertSenderOptions> = {}, send?: SendFn): AlertSender => {
    const inFlight = new Set<Promise<unknown>>();
    const base = send ?? telegramSend(api);
    const tracked: SendFn = (chatId, html, o) => {
      const p = base(chatId, html, o);
      inFlight.add(p);
      void p.catch(() => undefined).finally(() => inFlight.delete(p));
      return p;
    };
    const sleep: Sleep = async (ms, signal) => {
      await Promise.allSettled([...inFlight]);
      if (!signal.aborted) clock.advance(ms);
    };
    return new AlertSender({ outbox, send: tracked, clock, sleep, logger, options });
  };

  return {
    clock,
    server,
    api,
    outbox,
    logger,
    users,
    newSender,
    enqueue: (alerts) => outbox.enqueueMany(alerts.map((a) => ({ at: new Date(clock.now()), ...a }))),
    async drainAll(sender, maxRounds = 500) {
      for (let i = 0; i < maxRounds; i++) {
        await sender.drainOnce();
        const next = await sender.nextWakeAt();
        if (next === null) return;
        if (next > clock.now()) clock.set(next);
      }
      throw new Error(`the outbox did not drain in ${maxRounds} rounds`);
    },
    sentOk: () => server.callsTo('sendMessage').filter((c) => c.ok).length,
    floodRefusals: () => server.calls.filter((c) => c.injected === 'flood-control').length,
    botTexts: (user) => user.botMessages().map((m: Message) => m.text ?? ''),
    close: () => server.close(),
  };
}

/** Outbox rows and the fake's messages agree: every row delivered once, in a message that exists. */
export async function expectExactlyOnce(rig: { users: FakeUser[] }, db: Database): Promise<{ rows: number; messages: number }> {
  const rows = await db.prisma.outbox.findMany({ orderBy: { id: 'asc' } });
  const undelivered = rows.filter((r) => r.deliveredAt === null);
  if (undelivered.length > 0) throw new Error(`${undelivered.length} rows undelivered: ${undelivered.map((r) => r.lastError).join('; ')}`);
  let messages = 0;
  for (const u of rig.users) {
    const ids = new Set(u.botMessages().map((m) => m.message_id));
    messages += ids.size;
    const mine = rows.filter((r) => Number(r.chatId) === u.id);
    for (const r of mine) if (!ids.has(r.messageId!)) throw new Error(`row ${r.id} names message ${r.messageId} that chat ${u.id} does not have`);
    const used = new Set(mine.map((r) => r.messageId));
    const extra = [...ids].filter((id) => !used.has(id));
    if (extra.length > 0) throw new Error(`chat ${u.id} got ${extra.length} message(s) no row accounts for (duplicates)`);
  }
  return { rows: rows.length, messages };
}
