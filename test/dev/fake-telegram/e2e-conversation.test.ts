import { InlineKeyboard, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock.js';
import type { ChatEvent } from '../../../src/dev/fake-telegram/index.js';
import { fakePng, runCleanups, startBot } from './harness.js';

afterEach(runCleanups);

describe('a real grammY bot long polling the fake server', () => {
  it('echoes: the reply comes from the bot, in the user chat, dated in seconds', async () => {
    const clock = new ManualClock(1_700_000_123_456);
    const { server, errors } = await startBot(
      (bot) => bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`)),
      { clock },
    );
    const ann = server.user(101, { first_name: 'Ann', username: 'ann' });
    const sent = ann.send('hello');
    const reply = await ann.nextMessage();
    expect(reply).toMatchObject({
      message_id: sent.message_id + 1,
      text: 'echo: hello',
      date: 1_700_000_123,
      chat: { id: 101, type: 'private', first_name: 'Ann', username: 'ann' },
      from: { id: server.bot.id, is_bot: true, username: server.bot.username },
    });
    expect(sent.from).toMatchObject({ id: 101, is_bot: false, first_name: 'Ann' });
    expect(ann.messages().map((m) => m.text)).toEqual(['hello', 'echo: hello']);
    expect(errors).toEqual([]);
  });

  it('commands arrive with a bot_command entity; HTML replies arrive as text plus entities', async () => {
    const { server } = await startBot((bot) => {
      bot.command('start', (ctx) => ctx.reply(`<b>Welcome</b>, ${ctx.from?.first_name ?? ''} 🚀 <i>go</i>`, { parse_mode: 'HTML' }));
    });
    const bob = server.user(102, { first_name: 'Bob' });
    expect(bob.send('/start').entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    const reply = await bob.nextMessage();
    expect(reply.text).toBe('Welcome, Bob 🚀 go');
    expect(reply.entities).toEqual([
      { type: 'bold', offset: 0, length: 7 },
      { type: 'italic', offset: 16, length: 2 },
    ]);
  });

  it('a button press reaches the bot with the message and data; the bot answers and edits', async () => {
    const { server } = await startBot((bot) => {
      bot.command('menu', (ctx) =>
        ctx.reply('Pick one', { reply_markup: new InlineKeyboard().text('Buy BTC', 'buy:btc').text('Sell BTC', 'sell:btc') }),
      );
      bot.callbackQuery(/^buy:(.+)$/, async (ctx) => {
        await ctx.answerCallbackQuery({ text: `buying ${ctx.match[1] ?? ''}` });
        await ctx.editMessageText(`Bought ${ctx.callbackQuery.message?.text ?? '?'}`);
      });
    });
    const user = server.user(103);
    user.send('/menu');
    const menu = await user.nextMessage('Pick one');
    expect(menu.reply_markup?.inline_keyboard[0]?.map((b) => b.text)).toEqual(['Buy BTC', 'Sell BTC']);
    const pressed = user.press('buy');
    expect(pressed).toMatchObject({ data: 'buy:btc', text: 'Buy BTC', messageId: menu.message_id });
    const edited = await user.nextEdit();
    expect(edited).toMatchObject({ message_id: menu.message_id, text: 'Bought Pick one' });
    expect(edited.reply_markup).toBeUndefined(); // Telegram drops the keyboard unless the edit repeats it
    expect(await user.answerOf(pressed.queryId)).toEqual({ text: 'buying btc', showAlert: false });
    expect(user.unansweredCallbacks()).toEqual([]);
    expect(server.unansweredCallbacks()).toEqual([]);
  });

  it('unansweredCallbacks() reports a press the bot never answered', async () => {
    const { server } = await startBot((bot) => {
      bot.command('menu', (ctx) => ctx.reply('Menu', { reply_markup: new InlineKeyboard().text('Go', 'go') }));
      bot.callbackQuery('go', (ctx) => ctx.reply('went')); // forgets answerCallbackQuery
    });
    const user = server.user(104);
    user.send('/menu');
    await user.nextMessage();
    const pressed = user.press('GO');
    await user.nextMessage('went');
    expect(user.unansweredCallbacks().map((c) => c.id)).toEqual([pressed.queryId]);
  });

  it('sendPhoto with an InputFile from a Buffer: bytes, caption and keyboard arrive over multipart', async () => {
    const png = fakePng(12_345);
    const { server } = await startBot((bot) => {
      bot.command('chart', (ctx) =>
        ctx.replyWithPhoto(new InputFile(png, 'chart.png'), {
          caption: '<b>BTC</b> 1h',
          parse_mode: 'HTML',
          reply_markup: new InlineKeyboard().text('Refresh', 'chart:refresh'),
        }),
      );
      bot.command('export', (ctx) => ctx.replyWithDocument(new InputFile(Buffer.from('a,b\n1,2\n'), 'trades.csv')));
    });
    const user = server.user(105);
    user.send('/chart');
    const event = await user.nextEvent((e) => e.kind === 'photo');
    if (event.kind !== 'photo') throw new Error('unreachable');
    expect(event.bytes).toBe(12_345);
    expect(event.data?.equals(png)).toBe(true);
    expect(event.caption).toBe('BTC 1h');
    expect(event.message.photo?.[0]).toMatchObject({ file_size: 12_345, width: 640, height: 480 });
    expect(event.message.caption_entities).toEqual([{ type: 'bold', offset: 0, length: 3 }]);
    expect(event.message.reply_markup?.inline_keyboard[0]?.[0]).toEqual({ text: 'Refresh', callback_data: 'chart:refresh' });
    expect(server.callsTo('sendPhoto')[0]?.files).toEqual([expect.objectContaining({ filename: 'chart.png', bytes: 12_345 })]);

    user.send('/export');
    const doc = await user.nextEvent((e) => e.kind === 'document');
    expect(doc).toMatchObject({ kind: 'document', bytes: 8, fileName: 'trades.csv' });
    expect(doc.kind === 'document' && doc.message.document).toMatchObject({ file_name: 'trades.csv', mime_type: 'text/csv', file_size: 8 });
  });

  it('group chats: negative id, several members, commands with @botname', async () => {
    const { server } = await startBot((bot) => {
      bot.command('price', (ctx) => ctx.reply(`price for ${ctx.from?.first_name ?? '?'}`));
    });
    const [ann, bob] = [server.user(1, { first_name: 'Ann' }), server.user(2, { first_name: 'Bob' })];
    const group = server.group({ members: [ann, bob], title: 'Traders' });
    expect(group.chatId).toBeLessThan(0);
    const sent = group.send(bob, `/price@${server.bot.username} now`);
    expect(sent.entities).toEqual([{ type: 'bot_command', offset: 0, length: 7 + server.bot.username.length }]);
    const reply = await group.nextMessage();
    expect(reply).toMatchObject({ text: 'price for Bob', chat: { id: group.chatId, type: 'group', title: 'Traders' } });
    group.send(ann, '/price');
    expect((await group.nextMessage()).text).toBe('price for Ann');
    expect(group.members().map((m) => m.first_name)).toEqual(['Ann', 'Bob']);
  });

  it('the event stream shows messages, edits, deletions and chat actions in order', async () => {
    const { server } = await startBot((bot) => {
      bot.command('go', async (ctx) => {
        await ctx.replyWithChatAction('typing');
        const m = await ctx.reply('one');
        await ctx.api.editMessageText(ctx.chat.id, m.message_id, 'two');
        await ctx.api.deleteMessage(ctx.chat.id, m.message_id);
        await ctx.reply('done');
      });
    });
    const user = server.user(106);
    const seen: ChatEvent[] = [];
    const all: ChatEvent[] = [];
    const unsubscribe = user.onEvent((e) => seen.push(e));
    server.onEvent((e) => all.push(e));
    user.send('/go');
    await user.nextMessage('done');
    unsubscribe();
    expect(seen.map((e) => e.kind)).toEqual(['chat-action', 'message', 'edit', 'delete', 'message']);
    expect(all).toEqual(seen);
    expect(user.messages().map((m) => m.text)).toEqual(['/go', 'done']);
    expect(user.messages({ includeDeleted: true }).map((m) => m.text)).toEqual(['/go', 'two', 'done']);
  });
});
