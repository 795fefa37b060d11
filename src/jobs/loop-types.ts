/** The trading loop's dependencies and reports (src/jobs/trading-loop.ts). */
import type { PrismaClient } from '../generated/prisma/client.js';
import type { ExchangePort } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { BotExposure, RiskMonitor } from '../trading/risk-monitor.js';
import type { AlertSink, TickReport } from '../trading/types.js';
import type { LocalExposure } from './account-risk.js';

/** What the app may ask of the loop (the same shape as the app's LoopControl). */
export interface LoopRemote {
  sync(): Promise<void>;
  halt(botId: number, flatten: boolean, reason: string): Promise<{ cancelled: number; sold: number } | null>;
}

export interface TradingLoopDeps {
  prisma: PrismaClient;
  exchange: ExchangePort;
  clock: Clock;
  logger: Logger;
  alerts: AlertSink;
  risk: RiskMonitor;
  idPrefix: string;
  tickSeconds: number;
  /** Whether this process may run this bot (leases in multi-process mode): its fencing token, or null. Default: all. */
  owns?: (botId: number) => Promise<number | null>;
  /** Called with the ids of the bots that should run, before `owns` is asked about any of them. */
  beforeSync?: (wanted: readonly number[]) => Promise<void>;
  /** This process gave a bot up (stopped, paused, lost or handed over): e.g. release its lease. */
  disown?: (botId: number) => Promise<void>;
  /** Other processes' loops (multi-process): told to sync, and asked to halt bots not run here. */
  remote?: LoopRemote;
  /**
   * The account's bots for the risk gate (multi-process: every worker's, not only this one's), or
   * null when the picture is incomplete: the stored risk state then applies unchanged this cycle.
   */
  accountExposures?: (local: LocalExposure[], wanted: readonly number[]) => Promise<BotExposure[] | null>;
  onTick?: (r: TickReport) => void;
  onTickError?: (botId: number, leaseLost: boolean) => void;
  /** A cycle longer than the tick interval (ms), or a scheduled tick skipped because one was running (0). */
  onSlowCycle?: (ms: number) => void;
  onCycle?: (ms: number, report: CycleReport) => void;
  /** Share each cycle's market reads between the bots of a symbol (default true; see cycle-cache.ts). */
  shareReads?: boolean;
}

export type { LocalExposure };

export interface CycleReport {
  ticks: TickReport[];
  riskState: string;
  errors: number;
}
