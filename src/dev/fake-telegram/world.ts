import type { BotCommand, Chat, Message, ReplyKeyboardMarkup, User, UserFromGetMe } from 'grammy/types';
import type { Clock } from '../../lib/clock.js';
import { badRequest, forbidden } from './api-error.js';
import { EventLog } from './event-log.js';
import type { BotEvent, CallbackAnswer, ChatEvent } from './events.js';
import { UpdateQueue } from './update-queue.js';

export interface StoredMessage {
  message: Message;
  fromBot: boolean;
  deleted: boolean;
}

export interface ChatRecord {
  chat: Chat.PrivateChat | Chat.GroupChat;
  /** Private chats: the user has written to the bot, so the bot may answer. */
  started: boolean;
  blocked: boolean;
  members: Set<number>;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  /** The reply keyboard the bot last showed (reply keyboards are not part of messages). */
  replyKeyboard: ReplyKeyboardMarkup | null;
  log: EventLog;
}

export interface CallbackRecord {
  id: string;
  chatId: number;
  messageId: number;
  userId: number;
  data: string;
  createdAt: number;
  answer: CallbackAnswer | null;
}

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  kind: 'photo' | 'document';
  size: number;
  fileName?: string;
  mimeType?: string;
  width: number;
  height: number;
  data: Buffer;
}

export type UserInit = { first_name?: string; last_name?: string; username?: string; language_code?: string };

/** Callback queries older than this cannot be answered any more. */
export const CALLBACK_TTL_MS = 15_000;

/** The fake Telegram's state: users, chats and their messages, pending updates, callbacks, files. */
export class World {
  readonly users = new Map<number, User>();
  readonly chats = new Map<number, ChatRecord>();
  readonly callbacks = new Map<string, CallbackRecord>();
  readonly files = new Map<string, StoredFile>();
  readonly commands = new Map<string, BotCommand[]>();
  readonly updates = new UpdateQueue();
  webhookUrl = '';
  private readonly listeners = new Set<(e: ChatEvent) => void>();
  private callbackCounter = 0;
  private fileCounter = 0;

  /** The bot as the `from` of its messages. */
  readonly botUser: User;

  constructor(
    readonly bot: UserFromGetMe,
    readonly clock: Clock,
  ) {
    this.botUser = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
  }

  nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  addUser(id: number, init: UserInit = {}): User {
    const user: User = { id, is_bot: false, first_name: init.first_name ?? `User ${id}` };
    if (init.last_name !== undefined) user.last_name = init.last_name;
    if (init.username !== undefined) user.username = init.username;
    if (init.language_code !== undefined) user.language_code = init.language_code;
    this.users.set(id, user);
    return user;
  }

  private newChat(chat: ChatRecord['chat'], started: boolean, members: number[]): ChatRecord {
    const record: ChatRecord = {
      chat, started, blocked: false, members: new Set(members), nextMessageId: 1,
      messages: new Map(), replyKeyboard: null, log: new EventLog(chat.id),
    };
    this.chats.set(chat.id, record);
    return record;
  }

  /** The private chat between the bot and a user (created, not yet started, on first use). */
  privateChat(user: User): ChatRecord {
    const existing = this.chats.get(user.id);
    if (existing) return existing;
    const chat: Chat.PrivateChat = { id: user.id, type: 'private', first_name: user.first_name };
    if (user.last_name !== undefined) chat.last_name = user.last_name;
    if (user.username !== undefined) chat.username = user.username;
    return this.newChat(chat, false, [user.id]);
  }

  /** A basic group the bot is a member of (so it may post at once). */
  createGroup(id: number, title: string, members: number[]): ChatRecord {
    if (id >= 0) throw new Error(`group chat ids are negative, got ${id}`);
    if (this.chats.has(id)) throw new Error(`chat ${id} already exists`);
    return this.newChat({ id, type: 'group', title }, true, members);
  }

  /** The chat a bot method targets, failing like Telegram when the bot may not post there. */
  chatForBot(chatId: number): ChatRecord {
    const chat = this.chats.get(chatId);
    if (!chat) throw badRequest('chat not found');
    if (chat.chat.type === 'private') {
      if (chat.blocked) throw forbidden('bot was blocked by the user');
      if (!chat.started) throw forbidden("bot can't initiate conversation with a user");
    }
    return chat;
  }

  /** A message that exists and was not deleted. */
  liveMessage(chat: ChatRecord, messageId: number): StoredMessage | undefined {
    const stored = chat.messages.get(messageId);
    return stored && !stored.deleted ? stored : undefined;
  }

  appendMessage(chat: ChatRecord, fields: Omit<Message, 'message_id' | 'date' | 'chat'>, fromBot: boolean): Message {
    const message = {
      message_id: chat.nextMessageId++,
      ...(fromBot ? { from: this.botUser } : {}),
      ...fields,
      chat: chat.chat,
      date: this.nowSeconds(),
    } as Message;
    chat.messages.set(message.message_id, { message, fromBot, deleted: false });
    return message;
  }

  emit(chat: ChatRecord, event: BotEvent): ChatEvent {
    const logged = chat.log.push(event, this.clock.now());
    for (const listener of this.listeners) listener(logged);
    return logged;
  }

  /** Every chat's events. */
  subscribe(listener: (e: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  newCallback(chat: ChatRecord, messageId: number, userId: number, data: string): CallbackRecord {
    this.callbackCounter += 1;
    const id = `${this.bot.id}${String(this.callbackCounter).padStart(8, '0')}`;
    const record: CallbackRecord = {
      id, chatId: chat.chat.id, messageId, userId, data, createdAt: this.clock.now(), answer: null,
    };
    this.callbacks.set(id, record);
    return record;
  }

  storeFile(kind: StoredFile['kind'], data: Buffer, extra: Partial<StoredFile> = {}): StoredFile {
    this.fileCounter += 1;
    const n = String(this.fileCounter).padStart(6, '0');
    const file: StoredFile = {
      fileId: `${kind === 'photo' ? 'AgAC' : 'BQAC'}fake${n}`,
      fileUniqueId: `AQAD${n}`,
      kind, size: data.length, width: 0, height: 0, data, ...extra,
    };
    this.files.set(file.fileId, file);
    return file;
  }
}

/** The bot's own user (what getMe answers), from the numeric part of the token. */
export function botIdentity(token: string, username: string, firstName: string): UserFromGetMe {
  const id = Number(/^(\d+):/.exec(token)?.[1] ?? '1');
  return {
    id, is_bot: true, first_name: firstName, username,
    can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
    can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false,
    allows_users_to_create_topics: false, can_manage_bots: false, supports_join_request_queries: false,
  };
}
