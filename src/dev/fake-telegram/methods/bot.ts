import type { BotCommand } from 'grammy/types';
import { badRequest, conflict } from '../api-error.js';
import type { MethodTable } from '../method-types.js';
import { isRecord, optBool, optInt, optJson, optString, requireChatId, type Params } from '../params.js';
import { CALLBACK_TTL_MS, type World } from '../world.js';

const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

/** Methods a bot may call at startup that change nothing the fake models. */
const ACCEPTED_NOOPS = [
  'setMyDescription', 'setMyShortDescription', 'setMyName', 'setChatMenuButton',
  'setMyDefaultAdministratorRights', 'close', 'logOut',
];

function commandsKey(p: Params): string {
  const scope = optJson(p, 'scope', "can't parse BotCommandScope JSON object") ?? { type: 'default' };
  return `${JSON.stringify(scope)}|${optString(p, 'language_code') ?? ''}`;
}

function readCommands(p: Params): BotCommand[] {
  const raw = optJson(p, 'commands', "can't parse commands JSON object");
  if (!Array.isArray(raw)) throw badRequest('field "commands" must be an Array');
  if (raw.length > 100) throw badRequest('too many bot commands specified');
  return raw.map((c): BotCommand => {
    if (!isRecord(c) || typeof c['command'] !== 'string' || typeof c['description'] !== 'string') {
      throw badRequest("can't parse BotCommand JSON object");
    }
    const command = c['command'].replace(/^\//, '');
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
    if (c['description'].length < 1 || c['description'].length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    return { command, description: c['description'] };
  });
}

export function botMethods(world: World): MethodTable {
  const table: MethodTable = {
    getMe: () => world.bot,

    getUpdates: ({ params, signal }) => {
      if (world.webhookUrl) {
        throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      }
      const allowed = optJson(params, 'allowed_updates', "can't parse allowed updates JSON array");
      if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((a) => typeof a === 'string'))) {
        throw badRequest('field "allowed_updates" must be an Array of Strings');
      }
      return world.updates.poll(
        {
          offset: optInt(params, 'offset'),
          limit: optInt(params, 'limit'),
          timeout: optInt(params, 'timeout'),
          allowedUpdates: allowed as string[] | undefined,
        },
        signal,
      );
    },

    setWebhook: ({ params }) => {
      world.webhookUrl = optString(params, 'url') ?? '';
      if (optBool(params, 'drop_pending_updates')) world.updates.dropPending();
      return true;
    },

    deleteWebhook: ({ params }) => {
      world.webhookUrl = '';
      if (optBool(params, 'drop_pending_updates')) world.updates.dropPending();
      return true;
    },

    getWebhookInfo: () => ({
      url: world.webhookUrl, has_custom_certificate: false, pending_update_count: world.updates.size,
    }),

    setMyCommands: ({ params }) => {
      world.commands.set(commandsKey(params), readCommands(params));
      return true;
    },

    getMyCommands: ({ params }) => world.commands.get(commandsKey(params)) ?? [],

    deleteMyCommands: ({ params }) => {
      world.commands.delete(commandsKey(params));
      return true;
    },

    sendChatAction: ({ params }) => {
      const chat = world.chatForBot(requireChatId(params));
      const action = optString(params, 'action') ?? '';
      if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
      world.emit(chat, { kind: 'chat-action', action });
      return true;
    },

    answerCallbackQuery: ({ params }) => {
      const query = world.callbacks.get(optString(params, 'callback_query_id') ?? '');
      if (!query || query.answer || world.clock.now() - query.createdAt > CALLBACK_TTL_MS) {
        throw badRequest('query is too old and response timeout expired or query ID is invalid');
      }
      const text = optString(params, 'text');
      const url = optString(params, 'url');
      query.answer = {
        showAlert: optBool(params, 'show_alert') ?? false,
        ...(text !== undefined ? { text } : {}),
        ...(url !== undefined ? { url } : {}),
      };
      const chat = world.chats.get(query.chatId);
      if (chat) world.emit(chat, { kind: 'callback-answer', queryId: query.id, data: query.data, answer: query.answer });
      return true;
    },
  };
  for (const name of ACCEPTED_NOOPS) table[name] = () => true;
  return table;
}
