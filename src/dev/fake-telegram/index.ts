/**
 * A faithful fake Telegram Bot API server for tests and the terminal demo.
 *
 *   const server = await startFakeTelegram();
 *   const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
 *   void bot.start();
 *   const ann = server.user(1, { first_name: 'Ann' });
 *   ann.send('/start');
 *   const reply = await ann.nextMessage();      // event driven, 5 s timeout by default
 *   ann.press('buy');                            // inline button by label
 *   await ann.nextEdit(/Bought/);
 *   expect(ann.unansweredCallbacks()).toEqual([]);
 *   await bot.stop(); await server.close();
 */
export { startFakeTelegram, FakeTelegramServer, DEFAULT_TOKEN, type FakeTelegramOptions } from './server.js';
export { FakeUser } from './fake-user.js';
export { FakeGroup } from './fake-group.js';
export { ChatView, type MessageMatcher } from './chat-view.js';
export type { PressedButton } from './user-actions.js';
export type { WaitOptions } from './event-log.js';
export { isNewMessage, describeEvent, type BotEvent, type ChatEvent, type CallbackAnswer } from './events.js';
export type { ApiCall } from './call-log.js';
export type { Fault, FaultTarget, OutageKind, FaultInjector } from './faults.js';
export { TELEGRAM_LIMITS, type FloodLimits } from './flood-control.js';
export type { CallbackRecord } from './world.js';
export { CALLBACK_TTL_MS } from './world.js';
export { ApiError } from './api-error.js';
export { parseHtml, type HtmlParseResult } from './html-parser.js';
export { parseMultipart, type UploadedFile } from './multipart.js';
export type { ReplyMarkup } from './reply-markup.js';
