import type { Message } from 'grammy/types';
import { badRequest } from '../api-error.js';
import { readCaption, readMessageText, type FormattedText } from '../message-content.js';
import type { MethodTable } from '../method-types.js';
import { requireChatId, requireMessageId, type Params } from '../params.js';
import { inlineMarkupOf, readReplyMarkup } from '../reply-markup.js';
import type { ChatRecord, StoredMessage, World } from '../world.js';
import { applyReplyKeyboard, optionalFields, readReplyTo } from './common.js';

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function editable(world: World, p: Params): { chat: ChatRecord; stored: StoredMessage } {
  const chat = world.chatForBot(requireChatId(p));
  const stored = world.liveMessage(chat, requireMessageId(p));
  if (!stored) throw badRequest('message to edit not found');
  if (!stored.fromBot) throw badRequest("message can't be edited");
  return { chat, stored };
}

function readInlineMarkup(p: Params): Message['reply_markup'] {
  const markup = readReplyMarkup(p);
  if (markup && markup.kind !== 'inline') throw badRequest('inline keyboard expected');
  return inlineMarkupOf(markup);
}

/** Applies an edit: Telegram drops the inline keyboard unless the edit passes it again. */
function applyEdit(
  world: World,
  chat: ChatRecord,
  stored: StoredMessage,
  content: { field: 'text' | 'caption'; value: FormattedText } | null,
  markup: Message['reply_markup'],
): Message {
  const previous = stored.message;
  const entitiesKey = content?.field === 'caption' ? 'caption_entities' : 'entities';
  const unchanged =
    same(previous.reply_markup, markup) &&
    (content === null ||
      (previous[content.field] === content.value.text &&
        same(previous[entitiesKey] ?? [], content.value.entities)));
  if (unchanged) throw badRequest(NOT_MODIFIED);
  const next: Message = { ...previous, edit_date: world.nowSeconds() };
  if (content) {
    next[content.field] = content.value.text;
    if (content.value.entities.length) next[entitiesKey] = content.value.entities;
    else delete next[entitiesKey];
  }
  if (markup) next.reply_markup = markup;
  else delete next.reply_markup;
  stored.message = next;
  world.emit(chat, { kind: 'edit', message: next, previous });
  return next;
}

export function messageMethods(world: World): MethodTable {
  return {
    sendMessage: ({ params }) => {
      const content = readMessageText(params);
      const chat = world.chatForBot(requireChatId(params));
      const markup = readReplyMarkup(params);
      const replyTo = readReplyTo(world, chat, params);
      const message = world.appendMessage(
        chat,
        { text: content.text, ...optionalFields('entities', content.entities, markup, replyTo) },
        true,
      );
      applyReplyKeyboard(chat, markup);
      world.emit(chat, markup ? { kind: 'message', message, replyMarkup: markup } : { kind: 'message', message });
      return message;
    },

    editMessageText: ({ params }) => {
      const value = readMessageText(params);
      const { chat, stored } = editable(world, params);
      if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');
      return applyEdit(world, chat, stored, { field: 'text', value }, readInlineMarkup(params));
    },

    editMessageCaption: ({ params }) => {
      const value = readCaption(params);
      const { chat, stored } = editable(world, params);
      if (stored.message.text !== undefined) throw badRequest('there is no caption in the message to edit');
      return applyEdit(world, chat, stored, { field: 'caption', value }, readInlineMarkup(params));
    },

    editMessageReplyMarkup: ({ params }) => {
      const { chat, stored } = editable(world, params);
      return applyEdit(world, chat, stored, null, readInlineMarkup(params));
    },

    deleteMessage: ({ params }) => {
      const chat = world.chatForBot(requireChatId(params));
      const stored = world.liveMessage(chat, requireMessageId(params));
      if (!stored) throw badRequest('message to delete not found');
      stored.deleted = true;
      world.emit(chat, { kind: 'delete', messageId: stored.message.message_id, message: stored.message });
      return true;
    },
  };
}
