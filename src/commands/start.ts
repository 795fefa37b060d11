import { html } from '../bot/html.js';
import type { CommandSpec } from './types.js';

export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'Welcome and the first steps',
  example: '/start',
  minRole: 'viewer',
  async run({ app, actor, respond }) {
    const s = await app.status.report();
    const mode = s.mode === 'live' ? '🔴 LIVE trading: orders use real money' : '🧪 Paper trading: no real money is used';
    const who = actor.role === 'owner' ? 'You are the owner of this bot.' : 'You have read-only access (viewer).';
    await respond.reply({
      html: html`👋 <b>Welcome${actor.name ? `, ${actor.name}` : ''}!</b>
${who}
${mode} on ${s.exchange}.

Try:
/status: how the bot is doing
/help: every command with an example`,
    });
  },
};
