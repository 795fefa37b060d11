import type { Chat, Message, ReplyKeyboardMarkup } from 'grammy/types';
import type { WaitOptions } from './event-log.js';
import { isNewMessage, type CallbackAnswer, type ChatEvent } from './events.js';
import type { CallbackRecord, ChatRecord, World } from './world.js';

/** What to wait for: text or caption containing a string, matching a RegExp, or a predicate. */
export type MessageMatcher = string | RegExp | ((message: Message) => boolean);

function matches(matcher: MessageMatcher | undefined, message: Message): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'function') return matcher(message);
  const text = message.text ?? message.caption ?? '';
  return typeof matcher === 'string' ? text.includes(matcher) : matcher.test(text);
}

const describe = (what: string, matcher: MessageMatcher | undefined): string =>
  matcher === undefined ? what : `${what} matching ${typeof matcher === 'function' ? 'the predicate' : String(matcher)}`;

/**
 * A chat as a user sees it. "Next" waits start after the user's last action (send, press) or after
 * the last event a wait returned, so a reply that came before the wait began is not missed.
 */
export class ChatView {
  private cursor = 0;

  constructor(
    protected readonly world: World,
    protected readonly record: ChatRecord,
  ) {}

  get chatId(): number {
    return this.record.chat.id;
  }

  get chat(): Chat {
    return this.record.chat;
  }

  /** Every message in the chat, user's and bot's, in order, as they are now (edits applied). */
  messages(options: { includeDeleted?: boolean } = {}): Message[] {
    return [...this.record.messages.values()].filter((s) => options.includeDeleted || !s.deleted).map((s) => s.message);
  }

  botMessages(): Message[] {
    return [...this.record.messages.values()].filter((s) => s.fromBot && !s.deleted).map((s) => s.message);
  }

  lastBotMessage(): Message | undefined {
    return this.botMessages().at(-1);
  }

  /** The reply keyboard the bot currently shows in this chat, if any. */
  replyKeyboard(): ReplyKeyboardMarkup | null {
    return this.record.replyKeyboard;
  }

  /** The retained log of what the bot did in this chat. */
  events(): ChatEvent[] {
    return this.record.log.since(0);
  }

  /** Subscribes to what the bot does in this chat from now on; returns the unsubscribe function. */
  onEvent(listener: (e: ChatEvent) => void): () => void {
    return this.record.log.subscribe(listener);
  }

  /** Callback queries in this chat that the bot never answered. */
  unansweredCallbacks(): CallbackRecord[] {
    return [...this.world.callbacks.values()].filter((c) => c.chatId === this.chatId && c.answer === null);
  }

  /** Called by every user action: later waits look only at what happens after it. */
  protected markAction(): void {
    this.cursor = this.record.log.lastSeq;
  }

  async nextEvent(predicate: (e: ChatEvent) => boolean = () => true, options: WaitOptions = {}): Promise<ChatEvent> {
    const event = await this.record.log.waitFor(this.cursor, predicate, { description: 'a bot event', ...options });
    this.cursor = Math.max(this.cursor, event.seq);
    return event;
  }

  /** The bot's next new message (text, photo or document). */
  async nextMessage(matcher?: MessageMatcher, options: WaitOptions = {}): Promise<Message> {
    const e = await this.nextEvent((ev) => isNewMessage(ev) && matches(matcher, ev.message), {
      description: describe("the bot's next message", matcher),
      ...options,
    });
    return (e as Extract<ChatEvent, { message: Message }>).message;
  }

  /** The bot's next edit of a message; the message as edited. */
  async nextEdit(matcher?: MessageMatcher, options: WaitOptions = {}): Promise<Message> {
    const e = await this.nextEvent((ev) => ev.kind === 'edit' && matches(matcher, ev.message), {
      description: describe("the bot's next edit", matcher),
      ...options,
    });
    return (e as Extract<ChatEvent, { kind: 'edit' }>).message;
  }

  /** The bot's next new or edited message. */
  async nextMessageOrEdit(matcher?: MessageMatcher, options: WaitOptions = {}): Promise<Message> {
    const e = await this.nextEvent(
      (ev) => (isNewMessage(ev) || ev.kind === 'edit') && matches(matcher, ev.message),
      { description: describe("the bot's next message or edit", matcher), ...options },
    );
    return (e as Extract<ChatEvent, { message: Message }>).message;
  }

  /** The bot's answer to a callback query (already given or still to come). */
  async answerOf(queryId: string, options: WaitOptions = {}): Promise<CallbackAnswer> {
    const e = await this.record.log.waitFor(0, (ev) => ev.kind === 'callback-answer' && ev.queryId === queryId, {
      description: `the answer to callback query ${queryId}`,
      ...options,
    });
    return (e as Extract<ChatEvent, { kind: 'callback-answer' }>).answer;
  }
}
