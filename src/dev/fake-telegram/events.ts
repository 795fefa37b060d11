import type { Message } from 'grammy/types';
import type { ReplyMarkup } from './reply-markup.js';

/** What a callback query's answer said (answerCallbackQuery). */
export interface CallbackAnswer {
  text?: string;
  showAlert: boolean;
  url?: string;
}

/** Everything the bot did in one chat, in order: what a transcript printer or a test waits on. */
export type BotEvent =
  | { kind: 'message'; message: Message; replyMarkup?: ReplyMarkup }
  | { kind: 'photo'; message: Message; bytes: number; caption?: string; fileName?: string; data?: Buffer; replyMarkup?: ReplyMarkup }
  | { kind: 'document'; message: Message; bytes: number; caption?: string; fileName?: string; data?: Buffer; replyMarkup?: ReplyMarkup }
  | { kind: 'edit'; message: Message; previous: Message }
  | { kind: 'delete'; messageId: number; message: Message }
  | { kind: 'callback-answer'; queryId: string; data: string; answer: CallbackAnswer }
  | { kind: 'chat-action'; action: string };

/** A logged event: its chat, its position in the chat's log and the clock time it happened. */
export type ChatEvent = BotEvent & { chatId: number; seq: number; at: number };

/** The bot's new messages, whatever their kind. */
export const isNewMessage = (e: ChatEvent): e is Extract<ChatEvent, { kind: 'message' | 'photo' | 'document' }> =>
  e.kind === 'message' || e.kind === 'photo' || e.kind === 'document';

/** A one-line description of an event, for error messages. */
export function describeEvent(e: ChatEvent): string {
  switch (e.kind) {
    case 'message': return `#${e.seq} message ${e.message.message_id}: ${JSON.stringify(e.message.text)}`;
    case 'photo': return `#${e.seq} photo ${e.message.message_id} (${e.bytes} bytes) ${JSON.stringify(e.caption ?? '')}`;
    case 'document': return `#${e.seq} document ${e.message.message_id} ${e.fileName ?? ''} (${e.bytes} bytes)`;
    case 'edit': return `#${e.seq} edit ${e.message.message_id}: ${JSON.stringify(e.message.text ?? e.message.caption)}`;
    case 'delete': return `#${e.seq} delete ${e.messageId}`;
    case 'callback-answer': return `#${e.seq} callback answer ${e.queryId} ${JSON.stringify(e.answer.text ?? '')}`;
    case 'chat-action': return `#${e.seq} chat action ${e.action}`;
  }
}
