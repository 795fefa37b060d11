import type { InlineKeyboardMarkup, Message } from 'grammy/types';
import type { ChatEvent } from './fake-telegram/index.js';

/**
 * The demo's transcript format (DESIGN.md): `you> ...`, `bot> ...`, `bot (edited)> ...`, buttons as
 * `[Text]`, photos as `<photo N bytes> caption`. A message's further lines are indented by five
 * spaces, and its buttons follow on indented lines, one line per keyboard row.
 */
const INDENT = '     ';

function buttonsOf(markup: unknown): string[] {
  const kb = (markup as InlineKeyboardMarkup | undefined)?.inline_keyboard;
  if (!kb?.length) return [];
  return kb.map((row) => INDENT + row.map((b) => `[${b.text}]`).join(' '));
}

function block(prefix: string, text: string, markup: unknown): string[] {
  const [first = '', ...rest] = text.split('\n');
  return [`${prefix} ${first}`.trimEnd(), ...rest.map((l) => (INDENT + l).trimEnd()), ...buttonsOf(markup)];
}

const textOf = (m: Message): string => m.text ?? m.caption ?? '';

/** Transcript lines for one event of the bot in a chat (none for events a person would not see). */
export function formatEvent(e: ChatEvent): string[] {
  switch (e.kind) {
    case 'message':
      return block('bot>', textOf(e.message), e.message.reply_markup ?? e.replyMarkup);
    case 'photo':
      return block('bot>', `<photo ${e.bytes} bytes>${e.caption ? ' ' + e.caption : ''}`, e.message.reply_markup ?? e.replyMarkup);
    case 'document':
      return block('bot>', `<document ${e.fileName ?? 'file'} ${e.bytes} bytes>${e.caption ? ' ' + e.caption : ''}`, e.message.reply_markup ?? e.replyMarkup);
    case 'edit':
      return block('bot (edited)>', textOf(e.message), e.message.reply_markup);
    case 'callback-answer':
      return e.answer.text ? [`bot (toast)> ${e.answer.text}`] : [];
    case 'delete':
    case 'chat-action':
      return [];
  }
}

export function formatUserLine(text: string): string {
  return `you> ${text}`;
}
