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
import type { TradingState } from '../engines/risk/gate.js';
import { BotRepository } from '../store/bots.js';
import { BotRunner, type AccountRisk } from '../trading/runner.js';
import { LeaseLostError } from '../trading/types.js';
import { catchUp, judgeAccount, type LocalExposure } from './account-risk.js';
import { CycleCache } from './cycle-cache.js';
import type { CycleReport, LoopRemote, TradingLoopDeps } from './loop-types.js';

export type { CycleReport, LocalExposure, LoopRemote, TradingLoopDeps };

/** Bots opened at once when many arrive (a takeover, a start-up). */
const OPEN_CONCURRENCY = 4;

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
  /** Bots an owner's halt is driving right now. */
  private readonly busy = new Set<number>();

  private readonly reads: CycleCache | null;

  constructor(private readonly deps: TradingLoopDeps) {
    this.reads = deps.shareReads === false ? null : new CycleCache(deps.exchange);
  }

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

  /** Forgets the runner but keeps the lease (and its fence): the next sync opens the bot afresh. */
  private async reopen(botId: number): Promise<void> {
    this.runners.delete(botId);
    this.applied.delete(botId);
  }

  private async drop(botId: number): Promise<void> {
    const had = this.runners.delete(botId);
    this.fences.delete(botId);
    this.applied.delete(botId);
    if (had) await this.deps.disown?.(botId).catch((err: unknown) => this.deps.logger.warn({ err, botId }, 'could not release the bot'));
  }

  /** Reconciles this process's runners only (a wake-up from another process: do not echo it). */
  syncHere(): Promise<void> {
    return this.syncLocal();
  }

  private syncLocal(reopenChanged = false): Promise<void> {
    // Concurrent callers share one pass (a command's sync during a cycle's sync).
    if (this.syncing) return reopenChanged ? this.syncing.then(() => this.syncLocal(true)) : this.syncing;
    const pass = this.doSync(reopenChanged).finally(() => (this.syncing = null));
    this.syncing = pass;
    return pass;
  }

  private async doSync(reopenChanged = false): Promise<void> {
    const rows = await this.deps.prisma.bot.findMany({ where: { status: 'running' }, select: { id: true, config: true }, orderBy: { id: 'asc' } });
    const wanted = rows.map((r) => r.id);
    this.wanted = wanted;
    // A changed config takes effect through the recovery path: the runner is opened again (only at
    // the start of a cycle, and not while an owner's halt drives it, so one bot never has two runners).
    for (const r of reopenChanged ? rows : []) {
      const runner = this.runners.get(r.id);
      if (runner && !this.busy.has(r.id) && JSON.stringify(runner.bot.config) !== JSON.stringify(r.config)) {
        this.deps.logger.info({ botId: r.id }, 'the bot config changed: reopening it');
        await this.reopen(r.id);
      }
    }
    const missing = wanted.filter((id) => !this.runners.has(id));
    if (missing.length > 0) await this.deps.beforeSync?.(missing);
    const repo = new BotRepository(this.deps.prisma);
    // Take first (fast: a lease and a fence each), then open (the recovery path talks to the
    // exchange): a worker taking over many bots holds them all at once, and opens a few at a time.
    const taken: { id: number; fence: number }[] = [];
    for (const id of missing) {
      try {
        const fence = this.deps.owns ? await this.deps.owns(id) : await repo.takeFence(id);
        if (fence !== null) taken.push({ id, fence });
      } catch (err) {
        this.deps.logger.warn({ err, botId: id }, 'could not take the bot; will retry next cycle');
      }
    }
    let next = 0;
    const opener = async (): Promise<void> => {
      while (next < taken.length) await this.open(taken[next++]!, repo);
    };
    await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, taken.length) }, opener));
    const keep = new Set(wanted);
    for (const id of [...this.runners.keys()]) if (!keep.has(id)) await this.drop(id);
  }

  private async open({ id, fence }: { id: number; fence: number }, repo: BotRepository): Promise<void> {
    const bot = await repo.get(id);
    if (!bot || bot.status !== 'running') {
      await this.deps.disown?.(id);
      return;
    }
    try {
      const started = Date.now();
      const runner = await BotRunner.open(bot, fence, this.runnerDeps());
      this.runners.set(id, runner);
      this.fences.set(id, fence);
      this.applied.set(id, this.lastRisk?.state ?? (await this.deps.risk.state()).state);
      this.deps.logger.info({ botId: id, strategy: bot.strategy, symbol: bot.symbol, fence, ms: Date.now() - started }, 'bot running');
    } catch (err) {
      if (err instanceof LeaseLostError) this.deps.logger.warn({ botId: id }, 'lost the bot while opening it');
      else this.deps.logger.error({ err, botId: id }, 'could not open the bot; will retry next cycle');
      await this.deps.disown?.(id);
    }
  }

  private runnerDeps() {
    const d = this.deps;
    return { prisma: d.prisma, exchange: this.reads?.port ?? d.exchange, clock: d.clock, logger: d.logger, alerts: d.alerts, idPrefix: d.idPrefix };
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

  private async doCycle(): Promise<CycleReport> {
    this.reads?.begin();
    await this.syncLocal(true);
    const report: CycleReport = { ticks: [], riskState: 'ACTIVE', errors: 0 };
    const runners = [...this.runners.values()];
    const a = await judgeAccount(this.deps, runners, this.wanted, this.lastRisk?.accountExposure ?? 0);
    report.riskState = a.state;
    const risk: AccountRisk = { state: a.state, limits: a.limits, accountExposure: a.exposure };
    this.lastRisk = risk;
    if (a.messages.length > 0) await this.raiseRiskAlerts(a.messages);
    for (const runner of runners) {
      if (!this.runners.has(runner.botId)) continue; // released meanwhile
      try {
        // The gate's command on a change; and to any bot that has not heard of the account's state yet.
        const control = a.control ?? catchUp(this.applied.get(runner.botId) ?? a.state, a);
        if (control) report.ticks.push(await runner.control(control.command, control.flatten ?? false, control.reason ?? '', risk));
        if (a.breach !== 'manual') this.applied.set(runner.botId, a.state);
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
    this.busy.add(botId);
    this.reads?.begin(); // an owner's halt sees the market as it is now
    try {
      const risk: AccountRisk = this.lastRisk ?? { state: 'ACTIVE', limits: await this.deps.risk.limits(), accountExposure: 0 };
      const r = await runner.control('halt', flatten, reason, { ...risk, state: 'HALTED' });
      return { cancelled: r.cancelled, sold: r.placed };
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      await this.drop(botId);
      return null;
    } finally {
      this.busy.delete(botId);
    }
  }

  /**
   * Halts a bot no process runs (stopped or paused since the halt was asked for): takes it, opens it
   * (the recovery path), halts it and lets it go. Null when another process holds it.
   */
  async haltDetached(botId: number, flatten: boolean, reason: string): Promise<{ cancelled: number; sold: number } | null> {
    if (this.runners.has(botId)) return this.haltHere(botId, flatten, reason);
    const repo = new BotRepository(this.deps.prisma);
    const owned = this.deps.owns ? await this.deps.owns(botId) : await repo.takeFence(botId);
    if (owned === null) return null;
    try {
      const bot = await repo.get(botId);
      if (!bot) return null;
      const runner = await BotRunner.open(bot, owned, this.runnerDeps());
      const risk: AccountRisk = this.lastRisk ?? { state: 'ACTIVE', limits: await this.deps.risk.limits(), accountExposure: 0 };
      const r = await runner.control('halt', flatten, reason, { ...risk, state: 'HALTED' });
      return { cancelled: r.cancelled, sold: r.placed };
    } finally {
      if (!this.runners.has(botId)) await this.deps.disown?.(botId);
    }
  }

  private async raiseRiskAlerts(messages: string[]): Promise<void> {
    await this.deps.prisma.$transaction(async (tx) => {
      for (const m of messages) await this.deps.alerts.enqueue(tx, { kind: 'risk', text: `⚠️ <b>Risk</b>: ${escapeHtml(m)}` });
    });
    this.deps.alerts.wake();
  }
}
