import type { MessageEntity } from 'grammy/types';
import { badRequest } from './api-error.js';
import { parseHtml } from './html-parser.js';
import { optJson, optString, type Params } from './params.js';

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/**
 * Reads `text`/`caption` with `parse_mode` or explicit `entities`/`caption_entities` into plain text
 * plus entities, failing like Telegram on unparsable HTML. Length limits are for the caller.
 */
export function readFormattedText(p: Params, field: 'text' | 'caption'): FormattedText {
  const raw = optString(p, field) ?? '';
  const parseMode = optString(p, 'parse_mode')?.trim().toLowerCase() ?? '';
  const entitiesField = field === 'text' ? 'entities' : 'caption_entities';
  if (parseMode === '') {
    const entities = optJson(p, entitiesField, `can't parse entities JSON object`);
    if (entities === undefined) return { text: raw, entities: [] };
    if (!Array.isArray(entities)) throw badRequest(`field "${entitiesField}" must be an Array`);
    return { text: raw, entities: entities as MessageEntity[] };
  }
  if (parseMode === 'html') {
    const parsed = parseHtml(raw);
    if (!parsed.ok) throw badRequest(`can't parse entities: ${parsed.error}`);
    return { text: parsed.text, entities: parsed.entities };
  }
  if (parseMode === 'markdownv2' || parseMode === 'markdown') {
    throw badRequest(`the fake Telegram server does not implement parse_mode ${optString(p, 'parse_mode')}; use HTML`);
  }
  throw badRequest('unsupported parse_mode');
}

/** A message text: not empty, at most 4096 UTF-16 code units after entity parsing. */
export function readMessageText(p: Params): FormattedText {
  const content = readFormattedText(p, 'text');
  if (content.text.trim() === '') throw badRequest('message text is empty');
  if (content.text.length > MAX_TEXT_LENGTH) throw badRequest('message is too long');
  return content;
}

/** A media caption (may be empty), at most 1024 UTF-16 code units after entity parsing. */
export function readCaption(p: Params): FormattedText {
  const content = readFormattedText(p, 'caption');
  if (content.text.length > MAX_CAPTION_LENGTH) throw badRequest('message caption is too long');
  return content;
}
