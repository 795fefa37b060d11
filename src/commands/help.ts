import { html, joinHtml } from '../bot/html.js';
import type { CommandSpec } from './types.js';

/** /help lists every command of the registry it is given, with a one-line description and an example. */
export function helpCommand(all: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    summary: 'Every command with a one-line description and an example',
    example: '/help',
    minRole: 'viewer',
    async run({ actor, respond }) {
      const lines = all().map(
        (c) => html`/${c.name}: ${c.summary}${c.minRole === 'owner' && actor.role !== 'owner' ? ' (owner only)' : ''}
   e.g. <code>${c.example}</code>`,
      );
      await respond.reply({ html: joinHtml([html`<b>Commands</b>`, ...lines]) });
    },
  };
}
