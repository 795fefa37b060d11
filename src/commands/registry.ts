import { backtestCommand } from './backtest.js';
import { optimizeCommand } from './optimize.js';
import { botButtons, botCommand, botsCommand, pauseCommand, resumeCommand, startBotAction, startBotCommand, stopBotAction, stopBotCommand } from './bots.js';
import { confirmCallback } from './confirm.js';
import { helpCommand } from './help.js';
import { balanceCommand, ordersCommand, positionsCommand, tradesCommand } from './portfolio.js';
import { dailyCommand, performanceCommand, pnlCommand } from './reports.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { alertsCommand, modeCommand, modeLiveAction, riskCommand, riskRaiseAction, setCommand } from './settings.js';
import { flattenAllAction, stopAllAction, stopAllCommand } from './stop-all.js';
import type { CallbackSpec, CommandSpec } from './types.js';

export interface CommandRegistry {
  commands: readonly CommandSpec[];
  callbacks: readonly CallbackSpec[];
}

/** Commands that run bots and show their results, in the order /help lists them. */
export const tradingCommands: CommandSpec[] = [
  startBotCommand,
  stopBotCommand,
  pauseCommand,
  resumeCommand,
  stopAllCommand,
  botsCommand,
  botCommand,
  positionsCommand,
  ordersCommand,
  balanceCommand,
  pnlCommand,
  performanceCommand,
  tradesCommand,
  dailyCommand,
  setCommand,
  riskCommand,
  alertsCommand,
  modeCommand,
  backtestCommand,
  optimizeCommand,
];

export const tradingCallbacks: CallbackSpec[] = [confirmCallback([startBotAction, stopBotAction, stopAllAction, flattenAllAction, riskRaiseAction, modeLiveAction]), botButtons];

/** Every command the bot answers, in the order /help and the Telegram menu show them. */
export function buildRegistry(extra: { commands?: CommandSpec[]; callbacks?: CallbackSpec[] } = {}): CommandRegistry {
  const commands: CommandSpec[] = [];
  const registry: CommandRegistry = { commands, callbacks: extra.callbacks ?? [] };
  commands.push(startCommand, helpCommand(() => registry.commands), statusCommand, ...(extra.commands ?? []));
  return registry;
}

/** The registry the bot runs with. */
export function fullRegistry(): CommandRegistry {
  return buildRegistry({ commands: tradingCommands, callbacks: tradingCallbacks });
}
