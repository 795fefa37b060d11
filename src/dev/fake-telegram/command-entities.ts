import type { MessageEntity } from 'grammy/types';

const COMMAND = /\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?/g;

/**
 * The `bot_command` entities Telegram adds to a user's text: `/word` or `/word@botname` at the start
 * or after whitespace, not followed by another word character. Offsets count UTF-16 code units.
 */
export function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const m of text.matchAll(COMMAND)) {
    const at = m.index;
    const before = at === 0 ? '' : text[at - 1];
    const after = text[at + m[0].length];
    if (before !== '' && !/\s/.test(before ?? '')) continue;
    if (after !== undefined && /[A-Za-z0-9_@/]/.test(after)) continue;
    entities.push({ type: 'bot_command', offset: at, length: m[0].length });
  }
  return entities;
}
