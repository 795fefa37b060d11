import type { BacktestService } from '../backtest/service.js';
import type { ConfirmationService } from '../confirm/service.js';
import type { BotService } from './bots/service.js';
import type { ReportService } from './reports.js';
import type { SettingsService } from './settings-service.js';
import type { StatusService } from './status.js';
import type { AuditTrail, UserDirectory } from './types.js';

/** Everything the surfaces (bot, CLI, tests) may call. Grows with each capability. */
export interface App {
  status: StatusService;
  users: UserDirectory;
  audit: AuditTrail;
  bots: BotService;
  reports: ReportService;
  settings: SettingsService;
  backtest?: BacktestService;
  confirmations: ConfirmationService;
  /** How long a confirmation button stays valid. */
  confirmTtlMs: number;
  /** Quote-currency balances of the exchange account (paper or live). */
  balance(): Promise<Record<string, { free: number; used: number; total: number }>>;
  mode: 'paper' | 'live';
  /** The app's clock (injected). */
  now(): number;
}
