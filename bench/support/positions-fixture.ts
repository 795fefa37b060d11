/** Shared by the command.positions benchmark and its bot process (bench/support/positions-bot.ts). */
export const BOTS = 50;
export const ORDERS = 1000;

/** Per update (ms): until the handler finished, and until the last part of its reply was accepted. */
export interface PositionsSamples {
  handlerMs: number[];
  replyMs: number[];
}
