import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../../src/bot/html.js';
import { REFUSAL } from '../../src/bot/auth.js';
import { UserInputError } from '../../src/app/errors.js';
import type { CallbackSpec, CommandSpec } from '../../src/commands/types.js';
import { AuditLogRepository, UserRepository } from '../../src/store/index.js';
import { OWNER_ID, startHarness, type Harness } from '../helpers/bot-harness.js';

// Test-only commands that exercise the shell's mechanisms (buttons, long replies, user input in markup).
const echo: CommandSpec = {
  name: 'echo',
  summary: 'Echo the arguments (test)',
  example: '/echo hi',
  minRole: 'viewer',
  async run({ args, respond }) {
    if (args === '') throw new UserInputError('Give me something to echo, e.g. /echo <b>hi</b>.');
    await respond.reply({ html: html`You said: <b>${args}</b>` });
  },
};
const long: CommandSpec = {
  name: 'long',
  summary: 'A reply longer than one message (test)',
  example: '/long',
  minRole: 'viewer',
  async run({ respond }) {
    const rows = Array.from({ length: 400 }, (_, i) => html`row ${i}: ${'x'.repeat(20)}`.value);
    await respond.reply({ html: html`<b>Long</b>\n<pre>${rows.join('\n')}</pre>` });
  },
};
const ask: CommandSpec = {
  name: 'ask',
  summary: 'A question with buttons (test)',
  example: '/ask',
  minRole: 'owner',
  async run({ respond }) {
    await respond.reply({ html: html`Pick one`, buttons: [[{ text: '✅ Yes', data: 'ask:yes' }, { text: 'No', data: 'ask:no' }]] });
  },
};
const askButton: CallbackSpec = {
  prefix: 'ask',
  minRole: 'owner',
  async run({ payload, message, respond }) {
    await respond.edit(message!, { html: html`You picked <i>${payload}</i>` });
    return { toast: `picked ${payload}` };
  },
};
const crash: CommandSpec = {
  name: 'crash',
  summary: 'Throws (test)',
  example: '/crash',
  minRole: 'viewer',
  async run() {
    throw new Error('kaboom with secret detail');
  },
};

describe('the bot shell, end to end over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extend: { commands: [echo, long, ask, crash], callbacks: [askButton] } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('publishes its command menu at start', () => {
    const call = h.server.callsTo('setMyCommands').at(-1);
    const names = (call?.params.commands as { command: string }[]).map((c) => c.command);
    expect(names).toEqual(expect.arrayContaining(['start', 'help', 'status']));
  });

  it('answers /start, /help and /status', async () => {
    const u = h.server.user(OWNER_ID, { first_name: 'Owner' });
    u.send('/start');
    expect((await u.nextMessage()).text).toMatch(/Welcome, Owner![\s\S]*Paper trading/);
    u.send('/help');
    const help = (await u.nextMessage()).text!;
    for (const c of ['/start', '/help', '/status', '/echo']) expect(help).toContain(c);
    expect(help).toContain('e.g. /status');
    u.send('/status');
    const status = (await u.nextMessage()).text!;
    expect(status).toMatch(/Version: \d+\.\d+\.\d+/);
    expect(status).toContain('Mode: 🧪 paper');
    expect(status).toContain('Database: embedded (PGlite)');
    expect(status).toMatch(/Users: 1 /);
  });

  it('refuses a stranger politely, tells nothing, and audits it', async () => {
    const stranger = h.server.user(666, { first_name: 'Mallory' });
    stranger.send('/status');
    const reply = await stranger.nextMessage();
    expect(reply.text).toBe(REFUSAL);
    expect(reply.text).not.toMatch(/paper|binance|Version/);
    const audit = new AuditLogRepository(h.runtime.db.prisma);
    await h.runtime.app.audit.flush();
    const entries = await audit.listRecent(10, { telegramId: 666 });
    expect(entries[0]).toMatchObject({ action: '/status', result: 'refused' });
  });

  it('lets a viewer read but not act', async () => {
    await new UserRepository(h.runtime.db.prisma).upsertOwners([]); // no-op, repository reachable
    await h.runtime.db.prisma.user.create({ data: { telegramId: 2002n, role: 'viewer' } });
    h.runtime.app.users.forget(); // roles are otherwise re-read within 5 s
    const viewer = h.server.user(2002, { first_name: 'Vic' });
    viewer.send('/status');
    expect((await viewer.nextMessage()).text).toContain('Status');
    viewer.send('/ask');
    expect((await viewer.nextMessage()).text).toMatch(/read-only access/);
    await h.runtime.app.audit.flush();
    const entries = await new AuditLogRepository(h.runtime.db.prisma).listRecent(5, { telegramId: 2002 });
    expect(entries[0]).toMatchObject({ action: '/ask', result: 'refused' });
  });

  it('runs a button flow: press, edit, answered callback', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/ask');
    await u.nextMessage(/Pick one/);
    const pressed = u.press('yes');
    const edit = await u.nextEdit();
    expect(edit.text).toBe('You picked yes');
    expect((await u.answerOf(pressed.queryId)).text).toBe('picked yes');
    expect(h.server.unansweredCallbacks()).toEqual([]);
  });

  it('in a group, only allow-listed members act; a stranger pressing a button changes nothing', async () => {
    const owner = h.server.user(OWNER_ID);
    const stranger = h.server.user(777, { first_name: 'Eve' });
    const group = h.server.group({ members: [owner, stranger], title: 'Traders' });
    group.send(stranger, 'just chatting');
    group.send(stranger, '/status');
    expect((await group.nextMessage()).text).toBe(REFUSAL);
    group.send(owner, '/ask');
    const question = await group.nextMessage(/Pick one/);
    const pressed = group.press(stranger, 'yes', { message: question });
    expect((await group.answerOf(pressed.queryId)).text).toBe('Not allowed.');
    // The message was not edited, and the chatter got no reply.
    expect(group.messages().find((m) => m.message_id === question.message_id)?.text).toBe('Pick one');
    expect(group.botMessages().filter((m) => m.text === REFUSAL)).toHaveLength(1);
  });

  it('splits a long reply and loses nothing', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/long');
    const parts = [await u.nextMessage(/Long/)];
    while (!parts.at(-1)!.text!.includes('row 399:')) parts.push(await u.nextMessage());
    expect(parts.length).toBe(3);
    const rows = parts.flatMap((p) => p.text!.split('\n')).filter((l) => l.startsWith('row '));
    expect(rows).toEqual(Array.from({ length: 400 }, (_, i) => `row ${i}: ${'x'.repeat(20)}`));
    for (const p of parts) {
      expect(p.text!.length).toBeLessThanOrEqual(4096);
      expect(p.entities?.some((e) => e.type === 'pre')).toBe(true);
    }
  });

  it('escapes user input, so bad markup never reaches Telegram', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/echo <b>bold & </i> <script>');
    const reply = await u.nextMessage(/You said/);
    expect(reply.text).toBe('You said: <b>bold & </i> <script>');
    expect(h.server.calls.filter((c) => c.method === 'sendMessage' && !c.ok)).toEqual([]);
  });

  it('answers bad input with one sentence', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/echo');
    expect((await u.nextMessage()).text).toBe('⚠️ Give me something to echo, e.g. /echo <b>hi</b>.');
  });

  it('retries after a 429 and then delivers', async () => {
    const u = h.server.user(OWNER_ID);
    h.server.faults.rateLimit({ method: 'sendMessage', times: 1, retryAfter: 1 });
    u.send('/echo after rate limit');
    const reply = await u.nextMessage(/after rate limit/, { timeoutMs: 10_000 });
    expect(reply.text).toBe('You said: after rate limit');
    const sends = h.server.callsTo('sendMessage').slice(-2);
    expect(sends[0]!.status).toBe(429);
    expect(sends[1]!.ok).toBe(true);
  });

  it('apologises with an error id when a handler fails, and keeps details out of the chat', async () => {
    const u = h.server.user(OWNER_ID);
    u.send('/crash');
    const reply = await u.nextMessage(/Sorry/);
    expect(reply.text).toMatch(/error id [0-9a-f]{8}/);
    expect(reply.text).not.toContain('kaboom');
    expect(h.errors.length).toBe(1);
    h.errors.length = 0;
  });
});
