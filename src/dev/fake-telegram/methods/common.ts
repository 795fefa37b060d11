import type { Message, MessageEntity } from 'grammy/types';
import { badRequest } from '../api-error.js';
import { isRecord, optBool, optInt, optJson, type Params } from '../params.js';
import { inlineMarkupOf, type ReplyMarkup } from '../reply-markup.js';
import type { ChatRecord, World } from '../world.js';

/** The message a send replies to (reply_parameters or reply_to_message_id), as Telegram embeds it. */
export function readReplyTo(world: World, chat: ChatRecord, p: Params): Message | undefined {
  const rp = optJson(p, 'reply_parameters', "can't parse reply parameters JSON object");
  let id = optInt(p, 'reply_to_message_id');
  let allowMissing = optBool(p, 'allow_sending_without_reply') ?? false;
  if (isRecord(rp)) {
    if (typeof rp['message_id'] === 'number') id = rp['message_id'];
    if (rp['allow_sending_without_reply'] === true) allowMissing = true;
  }
  if (id === undefined) return undefined;
  const stored = world.liveMessage(chat, id);
  if (!stored) {
    if (allowMissing) return undefined;
    throw badRequest('message to be replied not found');
  }
  const { reply_to_message: _nested, ...replied } = stored.message;
  return replied as Message;
}

/** The optional fields of a new message, leaving out what is empty like Telegram does. */
export function optionalFields(
  entitiesKey: 'entities' | 'caption_entities',
  entities: MessageEntity[],
  markup: ReplyMarkup | undefined,
  replyTo: Message | undefined,
): Partial<Message> {
  const fields: Partial<Message> = {};
  if (entities.length) fields[entitiesKey] = entities;
  const inline = inlineMarkupOf(markup);
  if (inline) fields.reply_markup = inline;
  if (replyTo) fields.reply_to_message = replyTo as Message & { reply_to_message: undefined };
  return fields;
}

/** Reply keyboards belong to the chat, not to a message: remember what the user now sees. */
export function applyReplyKeyboard(chat: ChatRecord, markup: ReplyMarkup | undefined): void {
  if (markup?.kind === 'keyboard') chat.replyKeyboard = markup.markup;
  else if (markup?.kind === 'remove') chat.replyKeyboard = null;
}
