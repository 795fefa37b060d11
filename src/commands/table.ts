import type { CommandSpec } from './types.js';

/** The README's command table, rendered from the registry (a test keeps the README in sync). */
export function commandsMarkdownTable(commands: readonly CommandSpec[]): string {
  const rows = commands.map((c) => `| \`/${c.name}\` | ${c.summary} | \`${c.example}\` | ${c.minRole === 'owner' ? 'owner' : 'owner, viewer'} |`);
  return ['| Command | What it does | Example | Who |', '|---|---|---|---|', ...rows].join('\n');
}
