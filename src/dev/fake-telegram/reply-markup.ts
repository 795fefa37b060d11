import type { InlineKeyboardMarkup, ReplyKeyboardMarkup } from 'grammy/types';
import { badRequest } from './api-error.js';
import { checkLink } from './html-parser.js';
import { isRecord, optJson, type Params } from './params.js';

/** What a `reply_markup` parameter asked for, validated the way Telegram does. */
export type ReplyMarkup =
  | { kind: 'inline'; markup: InlineKeyboardMarkup }
  | { kind: 'keyboard'; markup: ReplyKeyboardMarkup }
  | { kind: 'remove' }
  | { kind: 'force_reply' };

const BUTTON_ACTIONS = [
  'callback_data', 'url', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
];

const CANT_PARSE = "can't parse reply keyboard markup JSON object";

function checkInlineButton(button: unknown): void {
  if (!isRecord(button)) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  if (typeof button['text'] !== 'string') {
    throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
  }
  if (!BUTTON_ACTIONS.some((k) => button[k] !== undefined)) {
    throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  }
  const data = button['callback_data'];
  if (data !== undefined) {
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
    if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
  }
  const url = button['url'];
  if (url !== undefined && (typeof url !== 'string' || checkLink(url) === null)) throw badRequest('BUTTON_URL_INVALID');
}

function checkRows(rows: unknown, field: string, type: string): unknown[][] {
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r))) {
    throw badRequest(`field "${field}" of the ${type} must be an Array of Arrays`);
  }
  return rows as unknown[][];
}

/** Reads and validates `reply_markup`; undefined when absent. */
export function readReplyMarkup(p: Params): ReplyMarkup | undefined {
  const raw = optJson(p, 'reply_markup', CANT_PARSE);
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) throw badRequest(CANT_PARSE);
  if (raw['inline_keyboard'] !== undefined) {
    const rows = checkRows(raw['inline_keyboard'], 'inline_keyboard', 'InlineKeyboardMarkup');
    rows.forEach((row) => row.forEach(checkInlineButton));
    return { kind: 'inline', markup: raw as unknown as InlineKeyboardMarkup };
  }
  if (raw['keyboard'] !== undefined) {
    const rows = checkRows(raw['keyboard'], 'keyboard', 'ReplyKeyboardMarkup');
    for (const row of rows) {
      for (const b of row) {
        if (typeof b !== 'string' && !(isRecord(b) && typeof b['text'] === 'string')) {
          throw badRequest("can't parse keyboard button: KeyboardButton must be a String or an Object");
        }
      }
    }
    return { kind: 'keyboard', markup: raw as unknown as ReplyKeyboardMarkup };
  }
  if (raw['remove_keyboard'] === true) return { kind: 'remove' };
  if (raw['force_reply'] === true) return { kind: 'force_reply' };
  throw badRequest(CANT_PARSE);
}

/** The inline keyboard Telegram stores on the message; other markups are not part of the message. */
export const inlineMarkupOf = (m: ReplyMarkup | undefined): InlineKeyboardMarkup | undefined =>
  m?.kind === 'inline' && m.markup.inline_keyboard.some((row) => row.length > 0) ? m.markup : undefined;
