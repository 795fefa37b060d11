import { run } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeTelegramServer } from '../../../src/dev/fake-telegram/index.js';
import { fakeServer, runCleanups, startBot } from './harness.js';

afterEach(runCleanups);

interface Answer {
  status: number;
  body: { ok: boolean; result?: Update[]; error_code?: number; description?: string };
}

async function getUpdates(server: FakeTelegramServer, params: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${server.apiRoot}/bot${server.token}/getUpdates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const ids = (a: Answer): number[] => (a.body.result ?? []).map((u) => u.update_id);

describe('getUpdates over HTTP', () => {
  it('offset confirms earlier updates; without it they are delivered again', async () => {
    const server = await fakeServer();
    const user = server.user(1);
    user.send('a');
    user.send('b');
    const first = await getUpdates(server);
    expect(first.body.result?.map((u) => u.message?.text)).toEqual(['a', 'b']);
    expect(ids(await getUpdates(server))).toEqual(ids(first));
    const last = ids(first).at(-1) ?? 0;
    user.send('c');
    const next = await getUpdates(server, { offset: last + 1 });
    expect(next.body.result?.map((u) => u.message?.text)).toEqual(['c']);
    expect(ids(await getUpdates(server, { offset: last }))).toEqual(ids(next)); // confirmed ones are gone for good
    expect(server.pendingUpdates).toBe(1);
    await getUpdates(server, { offset: (ids(next)[0] ?? 0) + 1 });
    expect(server.pendingUpdates).toBe(0);
  });

  it('limit caps a batch; a negative offset keeps only the latest updates', async () => {
    const server = await fakeServer();
    const user = server.user(1);
    for (const t of ['1', '2', '3', '4']) user.send(t);
    expect((await getUpdates(server, { limit: 2 })).body.result?.map((u) => u.message?.text)).toEqual(['1', '2']);
    expect((await getUpdates(server, { offset: -1 })).body.result?.map((u) => u.message?.text)).toEqual(['4']);
    expect(server.pendingUpdates).toBe(1);
  });

  it('allowed_updates filters update types and is remembered between calls', async () => {
    const server = await fakeServer();
    const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
    const user = server.user(1);
    user.send('/start');
    await bot.api.sendMessage(1, 'menu', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] } });
    user.press('A');
    const onlyCallbacks = await getUpdates(server, { allowed_updates: ['callback_query'] });
    expect(onlyCallbacks.body.result?.map((u) => Object.keys(u))).toEqual([['update_id', 'callback_query']]);
    user.send('ignored');
    expect((await getUpdates(server)).body.result?.map((u) => u.callback_query?.data)).toEqual(['a']);
  });

  it('timeout holds the request until an update arrives', async () => {
    const server = await fakeServer();
    const user = server.user(1);
    const t0 = performance.now();
    const pending = getUpdates(server, { timeout: 5 });
    setTimeout(() => user.send('wake'), 150);
    const answer = await pending;
    const elapsed = performance.now() - t0;
    expect(answer.body.result?.map((u) => u.message?.text)).toEqual(['wake']);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1500);
  });

  it('timeout with nothing to deliver answers [] after the timeout', async () => {
    const server = await fakeServer();
    const t0 = performance.now();
    expect((await getUpdates(server, { timeout: 1 })).body).toEqual({ ok: true, result: [] });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('a second concurrent getUpdates ends the first with 409 Conflict', async () => {
    const server = await fakeServer();
    const first = getUpdates(server, { timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = getUpdates(server, { timeout: 0 });
    expect(await first).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      },
    });
    expect((await second).status).toBe(200);
  });
});

describe('a real bot polling', () => {
  it('an idle bot does not busy-poll: only a few getUpdates calls in a second', async () => {
    const { server } = await startBot(() => {});
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.callsTo('getUpdates').length).toBeLessThanOrEqual(2);
  });

  it('every update is handled exactly once, in order, across many polls', async () => {
    const seen: string[] = [];
    const updateIds = new Set<number>();
    const { server } = await startBot((bot) =>
      bot.on('message:text', async (ctx) => {
        seen.push(ctx.message.text);
        updateIds.add(ctx.update.update_id);
        await ctx.reply(`ok ${ctx.message.text}`);
      }),
    );
    const user = server.user(7);
    for (let i = 0; i < 20; i++) {
      user.send(`m${i}`);
      if (i % 5 === 4) await user.nextMessage(`ok m${i}`);
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(updateIds.size).toBe(20);
    expect(user.botMessages()).toHaveLength(20);
    expect(server.callsTo('getUpdates').length).toBeGreaterThanOrEqual(4);
  });

  it('@grammyjs/runner works against the server too', async () => {
    const server = await fakeServer();
    const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
    bot.on('message:text', (ctx) => ctx.reply(ctx.message.text.toUpperCase()));
    const runner = run(bot);
    try {
      const user = server.user(8);
      user.send('shout');
      expect((await user.nextMessage()).text).toBe('SHOUT');
    } finally {
      if (runner.isRunning()) await runner.stop();
    }
  });
});
