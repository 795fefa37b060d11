import { html } from '../bot/html.js';
import { formatDuration } from './format.js';
import type { CommandSpec } from './types.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'Version, uptime, paper or live, database, exchange and counts',
  example: '/status',
  minRole: 'viewer',
  async run({ app, respond }) {
    const s = await app.status.report();
    await respond.reply({
      html: html`<b>Status</b>
Version: ${s.version}
Uptime: ${formatDuration(s.uptimeMs)}
Mode: ${s.mode === 'live' ? '🔴 LIVE' : '🧪 paper'}
Exchange: ${s.exchange}
Market data: ${s.marketData}
Database: ${s.database === 'pglite' ? 'embedded (PGlite)' : 'PostgreSQL'}
Bots: ${s.bots.running} running, ${s.bots.paused} paused, ${s.bots.halted} halted
Users: ${s.users} · audit entries: ${s.auditEntries}`,
    });
  },
};
