/**
 * The application layer's vocabulary. It knows nothing of Telegram: the bot, the CLI and tests call
 * the same services.
 */
export type Role = 'owner' | 'viewer';

export interface Actor {
  /** Telegram user id (or a CLI/test identity). */
  id: number;
  role: Role;
  name?: string;
}

export interface AuditEntry {
  telegramId: number | null;
  chatId: number | null;
  action: string;
  args?: string | null;
  /** ok | refused | error | invalid | confirmed | cancelled | expired ... */
  result: string;
  detail?: string | null;
}

export interface UserDirectory {
  /** The role of a user, or null for strangers. */
  roleOf(telegramId: number): Promise<Role | null>;
  count(): Promise<number>;
  /** Forget cached roles: the next update reads the users table (after a change to it). */
  forget(): void;
}

export interface AuditTrail {
  /** durable: false lets a successful read-only entry be written in a batch, shortly after. */
  record(entry: AuditEntry, opts?: { durable?: boolean }): Promise<void>;
  count(): Promise<number>;
  /** Writes what is buffered. */
  flush(): Promise<void>;
}

export interface StatusReport {
  version: string;
  uptimeMs: number;
  mode: 'paper' | 'live';
  database: 'pglite' | 'postgres';
  exchange: string;
  marketData: string;
  users: number;
  auditEntries: number;
  bots: { running: number; paused: number; halted: number };
}
