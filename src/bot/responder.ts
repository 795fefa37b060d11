import { GrammyError, InlineKeyboard, InputFile, type Api } from 'grammy';
import type { MessageRef, Reply, Responder } from '../commands/types.js';
import type { RawHtml } from './html.js';
import { splitHtml } from './split.js';

export function keyboardOf(r: Reply): InlineKeyboard | undefined {
  if (!r.buttons?.length) return undefined;
  const kb = new InlineKeyboard();
  r.buttons.forEach((row, i) => {
    if (i > 0) kb.row();
    for (const b of row) kb.text(b.text, b.data);
  });
  return kb;
}

const isNotModified = (err: unknown): boolean =>
  err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);

/** Sends replies to one chat over the Bot API: long replies are split, never dropped. */
export class ChatResponder implements Responder {
  constructor(
    private readonly api: Api,
    private readonly chatId: number,
  ) {}

  async reply(r: Reply): Promise<MessageRef> {
    const parts = splitHtml(r.html.value);
    const keyboard = keyboardOf(r);
    let last: MessageRef | null = null;
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      const msg = await this.api.sendMessage(this.chatId, parts[i]!, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(r.silent ? { disable_notification: true } : {}),
        ...(isLast && keyboard ? { reply_markup: keyboard } : {}),
      });
      last = { chatId: this.chatId, messageId: msg.message_id };
    }
    return last!;
  }

  async edit(ref: MessageRef, r: Reply): Promise<void> {
    const [first] = splitHtml(r.html.value);
    const keyboard = keyboardOf(r);
    try {
      await this.api.editMessageText(ref.chatId, ref.messageId, first ?? '', {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: keyboard ?? { inline_keyboard: [] },
      });
    } catch (err) {
      if (!isNotModified(err)) throw err;
    }
  }

  async photo(png: Uint8Array, caption?: RawHtml): Promise<MessageRef> {
    const msg = await this.api.sendPhoto(this.chatId, new InputFile(png, 'chart.png'), {
      ...(caption ? { caption: caption.value, parse_mode: 'HTML' as const } : {}),
    });
    return { chatId: this.chatId, messageId: msg.message_id };
  }
}
