/**
 * The trading loop: one BotRunner per bot this process runs, ticked by node-cron every
 * `tickSeconds` (no overlap: a slow cycle is reported, not stacked). Desired state lives in the
 * database (Bot.status, Bot.riskState); `sync()` reconciles the runners with it, so a command stored
 * while this process was down is carried out when it starts.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import { escapeHtml } from '../bot/html.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { ExchangePort } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { BotRepository } from '../store/bots.js';
import type { RiskMonitor } from '../trading/risk-monitor.js';
import { BotRunner, type AccountRisk } from '../trading/runner.js';
import { LeaseLostError, type AlertSink, type TickReport } from '../trading/types.js';

export interface TradingLoopDeps {
  prisma: PrismaClient;
  exchange: ExchangePort;
  clock: Clock;
  logger: Logger;
  alerts: AlertSink;
  risk: RiskMonitor;
  idPrefix: string;
  tickSeconds: number;
  /** Whether this process may run this bot (leases in multi-process mode). Default: all. */
  owns?: (botId: number) => Promise<number | null>;
  onTick?: (r: TickReport) => void;
  onSlowCycle?: (ms: number) => void;
}

export interface CycleReport {
  ticks: TickReport[];
  riskState: string;
  errors: number;
}

export class TradingLoop {
  private readonly runners = new Map<number, BotRunner>();
  private readonly fences = new Map<number, number>();
  private lastRisk: AccountRisk | null = null;
  private task: ScheduledTask | null = null;
  private cycle: Promise<CycleReport> | null = null;

  constructor(private readonly deps: TradingLoopDeps) {}

  /** Opens a runner (the recovery path) for every bot that should run; then ticks on schedule. */
  async start(): Promise<void> {
    await this.sync();
    const every = Math.max(1, Math.min(59, this.deps.tickSeconds));
    this.task = schedule(`*/${every} * * * * *`, () => this.runCycle().then(() => undefined), { name: 'trading-tick', noOverlap: true });
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

  /** Reconciles runners with the database: open new/resumed bots, drop stopped ones. */
  async sync(): Promise<void> {
    const bots = await new BotRepository(this.deps.prisma).list();
    const wanted = new Set<number>();
    for (const bot of bots) {
      if (bot.status !== 'running') continue;
      wanted.add(bot.id);
      if (this.runners.has(bot.id)) continue;
      const owned = this.deps.owns ? await this.deps.owns(bot.id) : await new BotRepository(this.deps.prisma).takeFence(bot.id);
      if (owned === null) continue;
      try {
        const runner = await BotRunner.open(bot, owned, this.runnerDeps());
        this.runners.set(bot.id, runner);
        this.fences.set(bot.id, owned);
        this.deps.logger.info({ botId: bot.id, strategy: bot.strategy, symbol: bot.symbol }, 'bot running');
      } catch (err) {
        this.deps.logger.error({ err, botId: bot.id }, 'could not open the bot; will retry next cycle');
      }
    }
    for (const id of [...this.runners.keys()]) if (!wanted.has(id)) this.runners.delete(id);
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
    this.cycle = this.doCycle().finally(() => {
      const ms = Date.now() - started;
      if (ms > this.deps.tickSeconds * 1000) {
        this.deps.logger.warn({ ms }, 'a trading cycle took longer than the tick interval');
        this.deps.onSlowCycle?.(ms);
      }
      this.cycle = null;
    });
    return this.cycle;
  }

  private async doCycle(): Promise<CycleReport> {
    await this.sync();
    const report: CycleReport = { ticks: [], riskState: 'ACTIVE', errors: 0 };
    const runners = [...this.runners.values()];
    const exposures = runners.map((r) => {
      const b = r.engine.balances();
      return { symbol: r.bot.symbol, base: b.base, quote: b.quote, lockedQuote: b.lockedQuote, price: r.price || b.lastPrice };
    });
    const { decision, limits, exposure } = await this.deps.risk.evaluate(this.deps.clock.now(), exposures);
    report.riskState = decision.state.state;
    const risk: AccountRisk = { state: decision.state.state, limits, accountExposure: exposure };
    this.lastRisk = risk;
    if (decision.events.length > 0) await this.raiseRiskAlerts(decision.events.map((e) => e.message));
    for (const runner of runners) {
      try {
        if (decision.control) {
          const c = decision.control;
          report.ticks.push(await runner.control(c.command, c.flatten ?? false, c.reason ?? '', risk));
        }
        const r = await runner.tick(risk);
        report.ticks.push(r);
        this.deps.onTick?.(r);
      } catch (err) {
        report.errors++;
        if (err instanceof LeaseLostError) {
          this.runners.delete(runner.botId);
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
   * Waits for a running cycle first, so the bot is never driven from two places at once.
   */
  async halt(botId: number, flatten: boolean, reason: string): Promise<{ cancelled: number; sold: number } | null> {
    await this.cycle?.catch(() => undefined);
    if (!this.runners.has(botId)) await this.sync();
    const runner = this.runners.get(botId);
    if (!runner) return null;
    const risk: AccountRisk = this.lastRisk ?? { state: 'ACTIVE', limits: await this.deps.risk.limits(), accountExposure: 0 };
    const r = await runner.control('halt', flatten, reason, { ...risk, state: 'HALTED' });
    return { cancelled: r.cancelled, sold: r.placed };
  }

  private async raiseRiskAlerts(messages: string[]): Promise<void> {
    await this.deps.prisma.$transaction(async (tx) => {
      for (const m of messages) await this.deps.alerts.enqueue(tx, { kind: 'risk', text: `⚠️ <b>Risk</b>: ${escapeHtml(m)}` });
    });
    this.deps.alerts.wake();
  }
}
