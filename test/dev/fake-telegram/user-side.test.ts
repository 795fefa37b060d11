import { Bot, InlineKeyboard, Keyboard } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeServer, grammyError, runCleanups } from './harness.js';

afterEach(runCleanups);

async function setup() {
  const server = await fakeServer();
  const api = new Bot(server.token, { client: { apiRoot: server.apiRoot } }).api;
  const user = server.user(42, { first_name: 'Kim' });
  user.send('/start');
  return { server, api, user };
}

describe('the user side', () => {
  it('a wait that times out says what it waited for and what the bot did instead', async () => {
    const { api, user } = await setup();
    await api.sendMessage(42, 'something else');
    await expect(user.nextMessage('Welcome', { timeoutMs: 50 })).rejects.toThrow(
      /Timed out after 50 ms waiting for the bot's next message matching Welcome in chat 42; bot events since then: #1 message 2: "something else"/,
    );
    await expect(user.nextEdit(undefined, { timeoutMs: 20 })).rejects.toThrow(/waiting for the bot's next edit in chat 42/);
  });

  it('a reply that arrived before the wait began is still found; each wait moves past what it returned', async () => {
    const { api, user } = await setup();
    await api.sendMessage(42, 'first');
    await api.sendMessage(42, 'second');
    expect((await user.nextMessage()).text).toBe('first');
    expect((await user.nextMessage()).text).toBe('second');
    user.send('again');
    await api.sendMessage(42, 'third');
    expect((await user.nextMessage(/^th/)).text).toBe('third');
  });

  it('matchers: substring, RegExp, predicate; nextMessageOrEdit', async () => {
    const { api, user } = await setup();
    const m = await api.sendMessage(42, 'Balance: 10 USDT');
    await api.editMessageText(42, m.message_id, 'Balance: 12 USDT');
    expect((await user.nextMessage((x) => x.text?.includes('10') ?? false)).message_id).toBe(m.message_id);
    expect((await user.nextMessageOrEdit(/12 USDT/)).text).toBe('Balance: 12 USDT');
  });

  it('press: exact label wins, ambiguous and missing labels are clear errors, URL buttons cannot be pressed', async () => {
    const { api, user } = await setup();
    const kb = new InlineKeyboard().text('Buy', 'b').text('Buy more', 'bm').row().text('Sell all', 's').url('Docs', 'https://example.com');
    const m = await api.sendMessage(42, 'menu', { reply_markup: kb });
    expect(user.press('buy').data).toBe('b');
    expect(user.press('MORE').data).toBe('bm');
    expect(() => user.press('o')).toThrow(/2 buttons match "o": "Buy more", "Docs"/);
    expect(() => user.press('hold')).toThrow(/no button matching "hold"; buttons: "Buy", "Buy more", "Sell all", "Docs"/);
    expect(() => user.press('docs')).toThrow(/has no callback_data/);
    await api.sendMessage(42, 'plain');
    expect(user.press('sell', { message: m }).messageId).toBe(m.message_id); // the latest keyboard, not the latest message
    await api.deleteMessage(42, m.message_id);
    expect(() => user.press('sell')).toThrow(/no bot message with an inline keyboard/);
    expect(() => user.press('sell', { message: m.message_id })).toThrow(/does not exist \(or was deleted\)/);
  });

  it('replies to messages carry reply_to_message; a reply keyboard is remembered per chat', async () => {
    const { api, user } = await setup();
    const q = await api.sendMessage(42, 'Amount?', { reply_markup: new Keyboard().text('10').text('20').oneTime() });
    expect(user.replyKeyboard()?.keyboard[0]).toEqual([{ text: '10' }, { text: '20' }]);
    expect(q.reply_markup).toBeUndefined(); // only inline keyboards are part of a message
    const answer = user.send('10', { replyTo: q.message_id });
    expect(answer.reply_to_message?.text).toBe('Amount?');
    const r = await api.sendMessage(42, 'Done', { reply_parameters: { message_id: answer.message_id }, reply_markup: { remove_keyboard: true } });
    expect(r.reply_to_message?.message_id).toBe(answer.message_id);
    expect(user.replyKeyboard()).toBeNull();
    expect((await grammyError(api.sendMessage(42, 'x', { reply_parameters: { message_id: 999 } }))).description).toBe(
      'Bad Request: message to be replied not found',
    );
  });

  it('users cannot send empty text, and only members write in a group', async () => {
    const { server, user } = await setup();
    expect(() => user.send('  ')).toThrow(/empty/);
    const other = server.user(43);
    const group = server.group({ members: [user] });
    expect(() => group.send(other, 'hi')).toThrow(/not a member/);
    group.addMember(other);
    expect(group.send(other, 'hi').chat.id).toBe(group.chatId);
  });

  it('server.user(id) returns the same user every time', async () => {
    const { server, user } = await setup();
    expect(server.user(42)).toBe(user);
  });
});

describe('other Bot API methods', () => {
  it('setMyCommands / getMyCommands / deleteMyCommands per scope and language', async () => {
    const { api } = await setup();
    await api.setMyCommands([{ command: 'start', description: 'Start' }, { command: 'grid', description: 'Grid bots' }]);
    await api.setMyCommands([{ command: 'start', description: 'Старт' }], { language_code: 'ru' });
    expect(await api.getMyCommands()).toEqual([{ command: 'start', description: 'Start' }, { command: 'grid', description: 'Grid bots' }]);
    expect(await api.getMyCommands({ language_code: 'ru' })).toEqual([{ command: 'start', description: 'Старт' }]);
    expect(await api.getMyCommands({ scope: { type: 'all_private_chats' } })).toEqual([]);
    expect((await grammyError(api.setMyCommands([{ command: 'Bad Command', description: 'x' }]))).description).toBe(
      'Bad Request: BOT_COMMAND_INVALID',
    );
    await api.deleteMyCommands();
    expect(await api.getMyCommands()).toEqual([]);
  });

  it('sendChatAction is true and shows in the event log; a bad action is 400', async () => {
    const { api, user } = await setup();
    expect(await api.sendChatAction(42, 'upload_photo')).toBe(true);
    expect(user.events().map((e) => e.kind === 'chat-action' && e.action)).toEqual(['upload_photo']);
    expect((await grammyError(api.sendChatAction(42, 'dancing' as 'typing'))).description).toBe(
      'Bad Request: wrong parameter action in request',
    );
  });

  it('a webhook blocks getUpdates with 409 until deleteWebhook', async () => {
    const { api } = await setup();
    await api.setWebhook('https://example.com/hook');
    expect((await api.getWebhookInfo()).url).toBe('https://example.com/hook');
    const e = await grammyError(api.getUpdates());
    expect(e.error_code).toBe(409);
    await api.deleteWebhook({ drop_pending_updates: true });
    expect(await api.getUpdates()).toEqual([]);
  });

  it('MarkdownV2 is refused with a clear 400 rather than sent unparsed', async () => {
    const { api } = await setup();
    expect((await grammyError(api.sendMessage(42, '*x*', { parse_mode: 'MarkdownV2' }))).description).toMatch(
      /does not implement parse_mode MarkdownV2; use HTML/,
    );
  });

  it('sendPhoto by a known file_id reuses the file; unknown ids and URLs are 400', async () => {
    const { server, api } = await setup();
    const { InputFile } = await import('grammy');
    const first = await api.sendPhoto(42, new InputFile(Buffer.from('abc'), 'a.jpg'));
    const fileId = first.photo.at(-1)?.file_id ?? '';
    const again = await api.sendPhoto(42, fileId);
    expect(again.photo.at(-1)).toMatchObject({ file_id: fileId, file_size: 3 });
    expect((await grammyError(api.sendPhoto(42, 'nope'))).description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    expect((await grammyError(api.sendPhoto(42, 'https://example.com/x.png'))).description).toBe(
      'Bad Request: failed to get HTTP URL content',
    );
    expect(server.calls.length).toBeGreaterThanOrEqual(4);
  });
});
