import type { Clock } from '../lib/clock.js';
import type { AuditTrail, StatusReport, UserDirectory } from './types.js';

export interface StatusDeps {
  version: string;
  startedAt: number;
  clock: Clock;
  mode: 'paper' | 'live';
  database: 'pglite' | 'postgres';
  exchange: string;
  marketData: string;
  users: UserDirectory;
  audit: AuditTrail;
  botCounts?: () => Promise<StatusReport['bots']>;
}

export class StatusService {
  constructor(private readonly deps: StatusDeps) {}

  async report(): Promise<StatusReport> {
    const d = this.deps;
    const [users, auditEntries, bots] = await Promise.all([
      d.users.count(),
      d.audit.count(),
      d.botCounts ? d.botCounts() : Promise.resolve({ running: 0, paused: 0, halted: 0 }),
    ]);
    return {
      version: d.version,
      uptimeMs: Math.max(0, d.clock.now() - d.startedAt),
      mode: d.mode,
      database: d.database,
      exchange: d.exchange,
      marketData: d.marketData,
      users,
      auditEntries,
      bots,
    };
  }
}
