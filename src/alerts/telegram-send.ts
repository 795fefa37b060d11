// The sender's `send` over grammY. Give it an Api without auto-retry (or with few retries): the sender
// does its own pacing and retries, and a 429 it sees tells it to slow that chat down.
import type { Api } from 'grammy';
import type { SendFn } from './deliver.js';

export function telegramSend(api: Api): SendFn {
  return async (chatId, html, { silent }) => {
    const m = await api.sendMessage(chatId, html, {
      parse_mode: 'HTML',
      disable_notification: silent,
      link_preview_options: { is_disabled: true },
    });
    return { messageId: m.message_id };
  };
}
