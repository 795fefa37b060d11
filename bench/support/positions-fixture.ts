/** Shared by the command.positions benchmark and its bot process (bench/support/positions-bot.ts). */
export const BOTS = 50;
export const ORDERS = 1000;

/** Per update (ms): until the reply left for the Bot API, and until the server accepted it. */
export interface PositionsSamples {
  handlerMs: number[];
  replyMs: number[];
}
