import { helpCommand } from './help.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import type { CallbackSpec, CommandSpec } from './types.js';

export interface CommandRegistry {
  commands: readonly CommandSpec[];
  callbacks: readonly CallbackSpec[];
}

/** Every command the bot answers, in the order /help and the Telegram menu show them. */
export function buildRegistry(extra: { commands?: CommandSpec[]; callbacks?: CallbackSpec[] } = {}): CommandRegistry {
  const commands: CommandSpec[] = [];
  const registry: CommandRegistry = { commands, callbacks: extra.callbacks ?? [] };
  commands.push(startCommand, helpCommand(() => registry.commands), statusCommand, ...(extra.commands ?? []));
  return registry;
}
