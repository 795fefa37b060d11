import type { App } from '../app/app.js';
import type { Actor, Role } from '../app/types.js';
import type { RawHtml } from '../bot/html.js';

export interface ReplyButton {
  text: string;
  /** Callback data, at most 64 bytes: `<prefix>:<payload>`. */
  data: string;
}

export interface Reply {
  html: RawHtml;
  /** Rows of inline buttons. */
  buttons?: ReplyButton[][];
  /** Deliver without sound. */
  silent?: boolean;
}

/** A message the bot sent, to edit later. */
export interface MessageRef {
  chatId: number;
  messageId: number;
}

/** How a command talks back; implemented over grammY by the bot, and by fakes in unit tests. */
export interface Responder {
  reply(r: Reply): Promise<MessageRef>;
  edit(ref: MessageRef, r: Reply): Promise<void>;
  photo(png: Uint8Array, caption?: RawHtml): Promise<MessageRef>;
}

export interface CommandContext {
  app: App;
  actor: Actor;
  chatId: number;
  /** Everything after the command word, trimmed. */
  args: string;
  respond: Responder;
}

/** What a handler tells the audit log (default: ok). */
export interface Outcome {
  result?: string;
  detail?: string;
}

export interface CommandSpec {
  /** Without the slash, lower case, e.g. 'status'. */
  name: string;
  /** One line for /help and the Telegram command menu. */
  summary: string;
  /** A complete example, e.g. '/backtest dca BTC/USDT 30d'. */
  example: string;
  /** Lowest role allowed to run it: viewers run read-only commands. */
  minRole: Role;
  run(ctx: CommandContext): Promise<Outcome | void>;
}

export interface CallbackContext extends Omit<CommandContext, 'args'> {
  /** The callback data after `<prefix>:`. */
  payload: string;
  /** The message that carried the button. */
  message: MessageRef | null;
}

export interface CallbackSpec {
  /** The part of callback data before the first ':'. */
  prefix: string;
  minRole: Role;
  run(ctx: CallbackContext): Promise<Outcome & { toast?: string } | void>;
}
