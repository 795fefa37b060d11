import { Bot, HttpError, InlineKeyboard, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock.js';
import { fakePng, fakeServer, grammyError, runCleanups } from './harness.js';

afterEach(runCleanups);

/** A fake server, a grammY Bot bound to it (not polling) and a user who has written once. */
async function setup(options: { clock?: ManualClock } = {}) {
  const server = await fakeServer(options);
  const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
  const user = server.user(500, { first_name: 'Eve' });
  user.send('/start');
  return { server, api: bot.api, user, chatId: user.id };
}

describe('HTTP-level errors in Telegram body shape', () => {
  it('401 Unauthorized for a wrong token', async () => {
    const server = await fakeServer();
    const bot = new Bot('123:wrong', { client: { apiRoot: server.apiRoot } });
    const e = await grammyError(bot.api.getMe());
    expect([e.error_code, e.description]).toEqual([401, 'Unauthorized']);
    expect(await new Bot(server.token, { client: { apiRoot: server.apiRoot } }).api.getMe()).toMatchObject({
      id: 7000000001, is_bot: true, username: 'fake_trader_bot',
    });
  });

  it('404 Not Found for an unknown method, via grammY and via raw HTTP', async () => {
    const server = await fakeServer();
    const raw = new Bot(server.token, { client: { apiRoot: server.apiRoot } }).api.raw as unknown as Record<
      string,
      (p: object) => Promise<unknown>
    >;
    const e = await grammyError(raw['sendTelepathy']?.({ chat_id: 1 }) ?? Promise.resolve());
    expect([e.error_code, e.description]).toEqual([404, 'Not Found']);
    const res = await fetch(`${server.apiRoot}/bot${server.token}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    const home = await fetch(`${server.apiRoot}/`);
    expect(home.status).toBe(404);
  });

  it('GET with a query string and method names in any case work like Telegram', async () => {
    const server = await fakeServer();
    const res = await fetch(`${server.apiRoot}/bot${server.token}/GETME?x=1`);
    expect(await res.json()).toMatchObject({ ok: true, result: { is_bot: true } });
  });

  it('403 for a chat that never wrote to the bot; 400 for a chat that does not exist', async () => {
    const { server, api } = await setup();
    server.user(777);
    const e = await grammyError(api.sendMessage(777, 'hi'));
    expect([e.error_code, e.description]).toEqual([403, "Forbidden: bot can't initiate conversation with a user"]);
    expect((await grammyError(api.sendMessage(999_999, 'hi'))).description).toBe('Bad Request: chat not found');
  });

  it('403 after the user blocked the bot, until the user writes again', async () => {
    const { api, user } = await setup();
    user.block();
    expect((await grammyError(api.sendMessage(user.id, 'hi'))).description).toBe('Forbidden: bot was blocked by the user');
    user.send('back');
    await expect(api.sendMessage(user.id, 'hi')).resolves.toMatchObject({ text: 'hi' });
  });
});

describe('400 Bad Request like Telegram', () => {
  it('empty text, too long text (counted after HTML parsing), too long caption', async () => {
    const { api, chatId } = await setup();
    expect((await grammyError(api.sendMessage(chatId, ''))).description).toBe('Bad Request: message text is empty');
    expect((await grammyError(api.sendMessage(chatId, '<b> </b>', { parse_mode: 'HTML' }))).description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await grammyError(api.sendMessage(chatId, 'x'.repeat(4097)))).description).toBe('Bad Request: message is too long');
    await expect(api.sendMessage(chatId, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' })).resolves.toBeTruthy();
    await expect(api.sendMessage(chatId, '😀'.repeat(2048))).resolves.toBeTruthy();
    expect((await grammyError(api.sendMessage(chatId, '😀'.repeat(2049)))).description).toBe('Bad Request: message is too long');
    const photo = new InputFile(fakePng(), 'p.png');
    expect((await grammyError(api.sendPhoto(chatId, photo, { caption: 'c'.repeat(1025) }))).description).toBe(
      'Bad Request: message caption is too long',
    );
  });

  it("can't parse entities", async () => {
    const { api, chatId } = await setup();
    const e = await grammyError(api.sendMessage(chatId, 'PnL <b>+5%', { parse_mode: 'HTML' }));
    expect([e.error_code, e.description]).toEqual([
      400,
      'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    ]);
    expect((await grammyError(api.sendMessage(chatId, 'a < b', { parse_mode: 'HTML' }))).description).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
    );
    await expect(api.sendMessage(chatId, 'a < b')).resolves.toMatchObject({ text: 'a < b' });
  });

  it('edits: not found, not modified, and the inline keyboard kept only when repeated', async () => {
    const { api, chatId } = await setup();
    expect((await grammyError(api.editMessageText(chatId, 12345, 'x'))).description).toBe(
      'Bad Request: message to edit not found',
    );
    const kb = new InlineKeyboard().text('A', 'a');
    const m = await api.sendMessage(chatId, '<b>x</b>', { parse_mode: 'HTML', reply_markup: kb });
    const same = await grammyError(api.editMessageText(chatId, m.message_id, '<b>x</b>', { parse_mode: 'HTML', reply_markup: kb }));
    expect(same.description).toBe(
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    const plain = await api.editMessageText(chatId, m.message_id, 'x', { reply_markup: kb });
    expect(plain).toMatchObject({ text: 'x', reply_markup: kb });
    expect((plain as { entities?: unknown }).entities).toBeUndefined();
    expect(typeof (plain as { edit_date?: number }).edit_date).toBe('number');
    await expect(api.editMessageReplyMarkup(chatId, m.message_id)).resolves.toBeTruthy();
    expect((await grammyError(api.editMessageReplyMarkup(chatId, m.message_id))).error_code).toBe(400);
    expect((await grammyError(api.deleteMessage(chatId, 999))).description).toBe('Bad Request: message to delete not found');
  });

  it('callback_data over 64 bytes is BUTTON_DATA_INVALID', async () => {
    const { api, chatId } = await setup();
    const e = await grammyError(api.sendMessage(chatId, 'x', { reply_markup: new InlineKeyboard().text('A', 'é'.repeat(33)) }));
    expect(e.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    await expect(api.sendMessage(chatId, 'x', { reply_markup: new InlineKeyboard().text('A', 'é'.repeat(32)) })).resolves.toBeTruthy();
  });

  it('answerCallbackQuery: true once; then, or after 15 s, or for an unknown id, "query is too old"', async () => {
    const clock = new ManualClock(1_000_000);
    const { api, chatId, user } = await setup({ clock });
    await api.sendMessage(chatId, 'menu', { reply_markup: new InlineKeyboard().text('One', '1').text('Two', '2') });
    const tooOld = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
    const first = user.press('one');
    await expect(api.answerCallbackQuery(first.queryId)).resolves.toBe(true);
    expect((await grammyError(api.answerCallbackQuery(first.queryId))).description).toBe(tooOld);
    const second = user.press('two');
    clock.advance(15_001);
    expect((await grammyError(api.answerCallbackQuery(second.queryId))).description).toBe(tooOld);
    expect((await grammyError(api.answerCallbackQuery('nope'))).description).toBe(tooOld);
    expect(user.unansweredCallbacks().map((c) => c.data)).toEqual(['2']);
  });
});

describe('injected failures', () => {
  it('429 with retry_after reaches grammY as error_code 429 and parameters.retry_after, then calls succeed', async () => {
    const { server, api, chatId } = await setup();
    server.faults.rateLimit({ method: 'sendMessage', times: 2, retryAfter: 7 });
    await expect(api.getMe()).resolves.toBeTruthy();
    for (let i = 0; i < 2; i++) {
      const e = await grammyError(api.sendMessage(chatId, 'x'));
      expect([e.error_code, e.description, e.parameters.retry_after]).toEqual([429, 'Too Many Requests: retry after 7', 7]);
    }
    await expect(api.sendMessage(chatId, 'x')).resolves.toBeTruthy();
    expect(server.callsTo('sendMessage').map((c) => [c.status, c.injected])).toEqual([
      [429, 'rate-limit'], [429, 'rate-limit'], [200, undefined],
    ]);
  });

  it('5xx for any method', async () => {
    const { server, api } = await setup();
    server.faults.serverError();
    const e = await grammyError(api.getMe());
    expect([e.error_code, e.description]).toEqual([502, 'Bad Gateway']);
    await expect(api.getMe()).resolves.toBeTruthy();
  });

  it('a dropped connection is an HttpError; dropped after handling, the message was still sent', async () => {
    const { server, api, chatId, user } = await setup();
    server.faults.drop({ method: 'sendMessage' });
    await expect(api.sendMessage(chatId, 'lost')).rejects.toBeInstanceOf(HttpError);
    expect(user.botMessages()).toEqual([]);
    server.faults.drop({ method: 'sendMessage', afterHandling: true });
    await expect(api.sendMessage(chatId, 'sent, answer lost')).rejects.toBeInstanceOf(HttpError);
    expect(user.botMessages().map((m) => m.text)).toEqual(['sent, answer lost']);
    expect(server.callsTo('sendMessage').map((c) => c.status)).toEqual([0, 0]);
  });

  it('an outage fails every call until the clock passes its end', async () => {
    const clock = new ManualClock(0);
    const { server, api } = await setup({ clock });
    server.faults.startOutage(10_000, 'rate-limit');
    const e = await grammyError(api.getMe());
    expect([e.error_code, e.parameters.retry_after]).toEqual([429, 10]);
    clock.advance(4_000);
    expect((await grammyError(api.getMe())).parameters.retry_after).toBe(6);
    clock.advance(6_000);
    await expect(api.getMe()).resolves.toBeTruthy();
    server.faults.startOutage(60_000);
    expect((await grammyError(api.getMe())).error_code).toBe(502);
    server.faults.endOutage();
    await expect(api.getMe()).resolves.toBeTruthy();
  });
});
