/**
 * The trading loop: one BotRunner per bot this process runs, ticked by node-cron every
 * `tickSeconds` (no overlap: a slow cycle is reported, not stacked). Desired state lives in the
 * database (Bot.status, Bot.riskState); `sync()` reconciles the runners with it, so a command stored
 * while this process was down is carried out when it starts.
 *
 * Several processes: `owns` decides whether this process may run a bot (a Redis lease, see
 * src/cluster) and returns the fencing token its writes carry; `remote` carries sync/halt to the
 * worker that runs a bot when it is not run here; `release` gives a bot up (lease lost or handed over).
 */
import { schedule, type ScheduledTask } from 'node-cron';
import { escapeHtml } from '../bot/html.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { TradingState } from '../engines/risk/gate.js';
import type { ExchangePort } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { BotRepository } from '../store/bots.js';
import type { BotExposure, RiskMonitor } from '../trading/risk-monitor.js';
import { BotRunner, type AccountRisk } from '../trading/runner.js';
import { LeaseLostError, type AlertSink, type TickReport } from '../trading/types.js';

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
  accountExposures?: (local: BotExposure[], wanted: readonly number[]) => Promise<BotExposure[] | null>;
  onTick?: (r: TickReport) => void;
  onTickError?: (botId: number, leaseLost: boolean) => void;
  /** A cycle longer than the tick interval (ms), or a scheduled tick skipped because one was running (0). */
  onSlowCycle?: (ms: number) => void;
  onCycle?: (ms: number, report: CycleReport) => void;
}

export interface CycleReport {
  ticks: TickReport[];
  riskState: string;
  errors: number;
}

export class TradingLoop {
  private readonly runners = new Map<number, BotRunner>();
  private readonly fences = new Map<number, number>();
  /** The account risk state each runner's engine was last told about. */
  private readonly applied = new Map<number, TradingState>();
  private lastRisk: AccountRisk | null = null;
  private wanted: number[] = [];
  private task: ScheduledTask | null = null;
  private cycle: Promise<CycleReport> | null = null;
  private syncing: Promise<void> | null = null;

  constructor(private readonly deps: TradingLoopDeps) {}

  /** Opens a runner (the recovery path) for every bot that should run; then ticks on schedule. */
  async start(): Promise<void> {
    await this.syncLocal();
    const every = Math.max(1, Math.min(59, this.deps.tickSeconds));
    this.task = schedule(`*/${every} * * * * *`, () => this.runCycle().then(() => undefined), { name: 'trading-tick', noOverlap: true });
    this.task.on('execution:overlap', () => {
      this.deps.logger.warn({ job: 'trading-tick' }, 'a tick was skipped: the previous trading cycle is still running');
      this.deps.onSlowCycle?.(0);
    });
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    await this.task?.destroy();
    this.task = null;
    await this.cycle?.catch(() => undefined);
  }

  runner(botId: number): BotRunner | undefined {
    return this.runners.get(botId);
  }

  get size(): number {
    return this.runners.size;
  }

  /** Ids of the bots this process runs now. */
  held(): number[] {
    return [...this.runners.keys()];
  }

  /** Reconciles runners with the database (open new/resumed bots, drop stopped ones), then tells the other processes. */
  async sync(): Promise<void> {
    await this.syncLocal();
    await this.deps.remote?.sync();
  }

  /** Gives a bot up after whatever it is doing now: the next sync may take it again if it still may. */
  async release(botId: number): Promise<void> {
    await this.cycle?.catch(() => undefined);
    await this.drop(botId);
  }

  private async drop(botId: number): Promise<void> {
    const had = this.runners.delete(botId);
    this.fences.delete(botId);
    this.applied.delete(botId);
    if (had) await this.deps.disown?.(botId).catch((err: unknown) => this.deps.logger.warn({ err, botId }, 'could not release the bot'));
  }

  private syncLocal(): Promise<void> {
    // Concurrent callers share one pass (a command's sync during a cycle's sync).
    if (!this.syncing) this.syncing = this.doSync().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const rows = await this.deps.prisma.bot.findMany({ where: { status: 'running' }, select: { id: true }, orderBy: { id: 'asc' } });
    const wanted = rows.map((r) => r.id);
    this.wanted = wanted;
    const missing = wanted.filter((id) => !this.runners.has(id));
    if (missing.length > 0) await this.deps.beforeSync?.(missing);
    const repo = new BotRepository(this.deps.prisma);
    for (const id of missing) {
      let owned: number | null;
      try {
        owned = this.deps.owns ? await this.deps.owns(id) : await repo.takeFence(id);
      } catch (err) {
        this.deps.logger.warn({ err, botId: id }, 'could not take the bot; will retry next cycle');
        continue;
      }
      if (owned === null) continue;
      const bot = await repo.get(id);
      if (!bot || bot.status !== 'running') {
        await this.deps.disown?.(id);
        continue;
      }
      try {
        const started = Date.now();
        const runner = await BotRunner.open(bot, owned, this.runnerDeps());
        this.runners.set(id, runner);
        this.fences.set(id, owned);
        this.applied.set(id, this.lastRisk?.state ?? (await this.deps.risk.state()).state);
        this.deps.logger.info({ botId: id, strategy: bot.strategy, symbol: bot.symbol, fence: owned, ms: Date.now() - started }, 'bot running');
      } catch (err) {
        if (err instanceof LeaseLostError) this.deps.logger.warn({ botId: id }, 'lost the bot while opening it');
        else this.deps.logger.error({ err, botId: id }, 'could not open the bot; will retry next cycle');
        await this.deps.disown?.(id);
      }
    }
    const keep = new Set(wanted);
    for (const id of [...this.runners.keys()]) if (!keep.has(id)) await this.drop(id);
  }

  private runnerDeps() {
    const d = this.deps;
    return { prisma: d.prisma, exchange: d.exchange, clock: d.clock, logger: d.logger, alerts: d.alerts, idPrefix: d.idPrefix };
  }

  /** One cycle: risk gate for the account, then a tick of every running bot (one at a time per bot). */
  runCycle(): Promise<CycleReport> {
    if (this.cycle) {
      this.deps.onSlowCycle?.(0);
      return this.cycle;
    }
    const started = Date.now();
    this.cycle = this.doCycle().then((report) => {
      const ms = Date.now() - started;
      this.deps.onCycle?.(ms, report);
      this.deps.logger.debug({ job: 'trading-tick', ms, bots: report.ticks.length, errors: report.errors, risk: report.riskState }, 'trading cycle done');
      return report;
    });
    this.cycle = this.cycle.finally(() => {
      const ms = Date.now() - started;
      if (ms > this.deps.tickSeconds * 1000) {
        this.deps.logger.warn({ job: 'trading-tick', ms }, 'a trading cycle took longer than the tick interval');
        this.deps.onSlowCycle?.(ms);
      }
      this.cycle = null;
    });
    return this.cycle;
  }

  private async accountRisk(runners: BotRunner[]) {
    const local: BotExposure[] = runners.map((r) => {
      const b = r.engine.balances();
      return { symbol: r.bot.symbol, base: b.base, quote: b.quote, lockedQuote: b.lockedQuote, price: r.price || b.lastPrice };
    });
    const all = this.deps.accountExposures ? await this.deps.accountExposures(local, this.wanted) : local;
    if (all === null) {
      // Part of the account is unknown this cycle (a worker just started or died): judge nothing, keep the stored state.
      const [state, limits] = await Promise.all([this.deps.risk.state(), this.deps.risk.limits()]);
      return { state: state.state, control: null, messages: [] as string[], limits, exposure: this.lastRisk?.accountExposure ?? 0, reason: state.reason, onHalt: limits.on_halt };
    }
    const { decision, limits, exposure } = await this.deps.risk.evaluate(this.deps.clock.now(), all);
    return { state: decision.state.state, control: decision.control, messages: decision.events.map((e) => e.message), limits, exposure, reason: decision.state.reason, onHalt: limits.on_halt };
  }

  private async doCycle(): Promise<CycleReport> {
    await this.syncLocal();
    const report: CycleReport = { ticks: [], riskState: 'ACTIVE', errors: 0 };
    const runners = [...this.runners.values()];
    const a = await this.accountRisk(runners);
    report.riskState = a.state;
    const risk: AccountRisk = { state: a.state, limits: a.limits, accountExposure: a.exposure };
    this.lastRisk = risk;
    if (a.messages.length > 0) await this.raiseRiskAlerts(a.messages);
    for (const runner of runners) {
      if (!this.runners.has(runner.botId)) continue; // released meanwhile
      try {
        // The gate's command on a change; and to any bot that has not heard of the account's state yet
        // (another worker saw the change first, or the bot was opened before it).
        const control = a.control ?? this.catchUp(runner.botId, a.state, a.reason, a.onHalt === 'flatten');
        if (control) report.ticks.push(await runner.control(control.command, control.flatten ?? false, control.reason ?? '', risk));
        this.applied.set(runner.botId, a.state);
        const r = await runner.tick(risk);
        report.ticks.push(r);
        this.deps.onTick?.(r);
      } catch (err) {
        report.errors++;
        const lost = err instanceof LeaseLostError;
        this.deps.onTickError?.(runner.botId, lost);
        if (lost) {
          await this.drop(runner.botId);
          this.deps.logger.warn({ botId: runner.botId }, 'lost the bot to another worker');
        } else {
          this.deps.logger.error({ err, botId: runner.botId }, 'tick failed; the next tick retries');
        }
      }
    }
    return report;
  }

  private catchUp(botId: number, state: TradingState, reason: string, flatten: boolean): { command: 'halt' | 'reduce' | 'resume'; flatten?: boolean; reason?: string } | null {
    const was = this.applied.get(botId) ?? state;
    if (was === state) return null;
    if (state === 'HALTED') return { command: 'halt', flatten, reason };
    if (state === 'REDUCING') return { command: 'reduce', reason };
    return { command: 'resume', reason: 'limits clear' };
  }

  /**
   * Halts one bot now: its engine cancels every order (and sells its holdings when `flatten`).
   * Waits for a running cycle first, so the bot is never driven from two places at once. A bot run by
   * another process is halted there (`remote`).
   */
  async halt(botId: number, flatten: boolean, reason: string): Promise<{ cancelled: number; sold: number } | null> {
    const local = await this.haltHere(botId, flatten, reason);
    if (local !== null || !this.deps.remote) return local;
    return this.deps.remote.halt(botId, flatten, reason);
  }

  /** Halts the bot if this process runs it (or may take it now); null otherwise. */
  async haltHere(botId: number, flatten: boolean, reason: string): Promise<{ cancelled: number; sold: number } | null> {
    await this.cycle?.catch(() => undefined);
    if (!this.runners.has(botId)) await this.syncLocal();
    const runner = this.runners.get(botId);
    if (!runner) return null;
    const risk: AccountRisk = this.lastRisk ?? { state: 'ACTIVE', limits: await this.deps.risk.limits(), accountExposure: 0 };
    try {
      const r = await runner.control('halt', flatten, reason, { ...risk, state: 'HALTED' });
      return { cancelled: r.cancelled, sold: r.placed };
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      await this.drop(botId);
      return null;
    }
  }

  private async raiseRiskAlerts(messages: string[]): Promise<void> {
    await this.deps.prisma.$transaction(async (tx) => {
      for (const m of messages) await this.deps.alerts.enqueue(tx, { kind: 'risk', text: `⚠️ <b>Risk</b>: ${escapeHtml(m)}` });
    });
    this.deps.alerts.wake();
  }
}
