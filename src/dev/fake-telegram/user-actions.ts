import type { Message, Update, User } from 'grammy/types';
import { findButton } from './buttons.js';
import { commandEntities } from './command-entities.js';
import type { ChatRecord, StoredMessage, World } from './world.js';

export interface PressedButton {
  queryId: string;
  data: string;
  /** The pressed button's label. */
  text: string;
  messageId: number;
}

/** A user writes in a chat: the message is stored and a `message` update queued for the bot. */
export function sendText(world: World, chat: ChatRecord, user: User, text: string, replyTo?: number): Message {
  if (text.trim() === '') throw new Error('a Telegram user cannot send an empty message');
  if (!chat.members.has(user.id)) throw new Error(`user ${user.id} is not a member of chat ${chat.chat.id}`);
  const fields: Partial<Message> = { from: user, text };
  const entities = commandEntities(text);
  if (entities.length) fields.entities = entities;
  if (replyTo !== undefined) {
    const replied = world.liveMessage(chat, replyTo);
    if (!replied) throw new Error(`message ${replyTo} does not exist in chat ${chat.chat.id}`);
    const { reply_to_message: _nested, ...inner } = replied.message;
    fields.reply_to_message = inner as Message & { reply_to_message: undefined };
  }
  chat.started = true;
  chat.blocked = false;
  const message = world.appendMessage(chat, fields, false);
  world.updates.push({ message: message as Message & Update.NonChannel });
  return message;
}

function latestWithKeyboard(chat: ChatRecord): StoredMessage | undefined {
  return [...chat.messages.values()].reverse().find((s) => s.fromBot && !s.deleted && s.message.reply_markup);
}

/**
 * A user presses an inline button by label on a given message, or on the latest bot message with a
 * keyboard: a `callback_query` update carrying the message and the button's data is queued.
 */
export function pressButton(
  world: World,
  chat: ChatRecord,
  user: User,
  label: string,
  target?: Message | number,
): PressedButton {
  if (!chat.members.has(user.id)) throw new Error(`user ${user.id} is not a member of chat ${chat.chat.id}`);
  const targetId = typeof target === 'number' ? target : target?.message_id;
  const stored = targetId === undefined ? latestWithKeyboard(chat) : world.liveMessage(chat, targetId);
  if (!stored) {
    throw new Error(
      targetId === undefined
        ? `no bot message with an inline keyboard in chat ${chat.chat.id}`
        : `message ${targetId} does not exist (or was deleted) in chat ${chat.chat.id}`,
    );
  }
  let button;
  try {
    button = findButton(stored.message.reply_markup, label);
  } catch (e) {
    throw new Error(`message ${stored.message.message_id}: ${(e as Error).message}`);
  }
  if (!('callback_data' in button) || typeof button.callback_data !== 'string') {
    throw new Error(`button ${JSON.stringify(button.text)} has no callback_data (it opens a link or an app)`);
  }
  const query = world.newCallback(chat, stored.message.message_id, user.id, button.callback_data);
  world.updates.push({
    callback_query: {
      id: query.id,
      from: user,
      message: stored.message,
      chat_instance: String(-1_000_000_000 - Math.abs(chat.chat.id)),
      data: button.callback_data,
    },
  });
  return { queryId: query.id, data: button.callback_data, text: button.text, messageId: stored.message.message_id };
}

/**
 * A callback query with any data, as a modified or replaying client could send it (forged, replayed
 * or stale buttons): tests use it to prove such presses change nothing.
 */
export function sendCallbackData(world: World, chat: ChatRecord, user: User, data: string, messageId: number): PressedButton {
  const stored = world.liveMessage(chat, messageId);
  if (!stored) throw new Error(`message ${messageId} does not exist (or was deleted) in chat ${chat.chat.id}`);
  const query = world.newCallback(chat, messageId, user.id, data);
  world.updates.push({
    callback_query: {
      id: query.id,
      from: user,
      message: stored.message,
      chat_instance: String(-1_000_000_000 - Math.abs(chat.chat.id)),
      data,
    },
  });
  return { queryId: query.id, data, text: '(forged)', messageId };
}
