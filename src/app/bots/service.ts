/**
 * Bots as the owner sees them: plan and start, stop, pause, resume, stop everything. Telegram-free:
 * commands, the CLI and tests call these. Desired state goes to the database first; the trading loop
 * (in this process, or a worker) carries it out.
 */
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Preset } from '../../engines/presets.js';
import { strategies, isStrategyName, STRATEGY_NAMES, parseStrategyConfig } from '../../engines/registry.js';
import { resolveRange } from '../../engines/grid/config.js';
import type { ExchangePort, MarketRules, TradingMode } from '../../exchange/types.js';
import type { Clock } from '../../lib/clock.js';
import { roundMoney } from '../../lib/precision.js';
import { BotRepository, type BotRecord } from '../../store/bots.js';
import { OrderRepository } from '../../store/orders.js';
import { RiskMonitor } from '../../trading/risk-monitor.js';
import { UserInputError } from '../errors.js';
import type { Actor } from '../types.js';
import { choosePreset } from './presets.js';
import { resolveSymbol } from './symbols.js';

export interface StartPlan {
  strategy: string;
  symbol: string;
  preset: string | null;
  /** The validated config, range resolved to absolute prices. */
  config: Record<string, unknown>;
  mode: TradingMode;
  price: number;
  /** Human summary lines. */
  summary: string[];
}

/** What the trading loop exposes to the app (in-process, or through Redis to a worker). */
export interface LoopControl {
  /** Reconcile runners with the database now. */
  sync(): Promise<void>;
  /** Tell a running bot's engine to halt (cancel everything, optionally flatten); null when not running here. */
  halt(botId: number, flatten: boolean, reason: string): Promise<{ cancelled: number; sold: number } | null>;
}

export interface BotServiceDeps {
  prisma: PrismaClient;
  exchange: ExchangePort;
  clock: Clock;
  presets: readonly Preset[];
  loop: LoopControl;
  risk: RiskMonitor;
}

export class BotService {
  constructor(private readonly d: BotServiceDeps) {}

  private get bots(): BotRepository {
    return new BotRepository(this.d.prisma);
  }

  async market(symbolInput: string): Promise<MarketRules> {
    return resolveSymbol(symbolInput, await this.d.exchange.loadMarkets());
  }

  /** Validates everything and says what would happen; changes nothing. */
  async planStart(strategy: string, symbolInput: string, presetName: string | undefined, overrides: Record<string, string>): Promise<StartPlan> {
    const name = strategy.toLowerCase();
    if (!isStrategyName(name)) throw new UserInputError(`Unknown strategy "${strategy}"; use one of ${STRATEGY_NAMES.join(', ')}.`);
    const rules = await this.market(symbolInput);
    const preset = choosePreset(this.d.presets, name, rules.symbol, presetName);
    if (presetName !== undefined && !preset) {
      const known = this.d.presets.filter((p) => p.strategy === name).map((p) => p.name);
      throw new UserInputError(`No ${name} preset named "${presetName}"; known: ${known.join(', ') || 'none'}.`);
    }
    const raw: Record<string, unknown> = { ...(preset?.config ?? {}), ...overrides };
    // A range given as lower/upper replaces a preset's relative range, and the other way round.
    if ('lower' in overrides || 'upper' in overrides) delete raw.range_pct;
    if ('range_pct' in overrides) {
      delete raw.lower;
      delete raw.upper;
    }
    const parsed = parseStrategyConfig(name, raw);
    if (!parsed.ok) throw new UserInputError(sentence(parsed.error));
    const ticker = await this.d.exchange.fetchTicker(rules.symbol);
    // Bot.config keeps the config as typed (it is parsed again at every start); a range relative to
    // the price is fixed now, at the price the owner sees in the summary.
    const stored = resolveRelativeRange(name, raw, parsed.value as Record<string, unknown>, ticker.last);
    const entry = strategies[name];
    const reparsed = parseStrategyConfig(name, stored);
    if (!reparsed.ok) throw new UserInputError(sentence(reparsed.error));
    const problem = (entry.check as (c: unknown, r: MarketRules, p: number) => string | null)(reparsed.value, rules, ticker.last);
    if (problem) throw new UserInputError(sentence(problem));
    const budget = (entry.budget as (c: unknown, r: MarketRules) => { quote: number; base: number })(reparsed.value, rules);
    const describe = (entry.describe as (c: unknown, r: MarketRules) => string)(reparsed.value, rules);
    const mode = this.d.exchange.mode;
    const summary = [
      describe,
      `Price now: ${ticker.last} ${rules.quote}`,
      `Budget: ${roundMoney(budget.quote, 2)} ${rules.quote}${budget.base > 0 ? ` + ${budget.base} ${rules.base}` : ''}`,
      `Fees: maker ${pct(rules.makerFee)}, taker ${pct(rules.takerFee)}; about ${roundMoney(budget.quote * rules.makerFee, 2)} ${rules.quote} per full turn of the budget`,
      mode === 'live' ? '🔴 LIVE: real orders with real money' : '🧪 Paper trading: no real money',
    ];
    return { strategy: name, symbol: rules.symbol, preset: preset?.name ?? null, config: stored, mode, price: ticker.last, summary };
  }

  /** Creates the bot (after the owner confirmed the plan) and lets the loop start it. */
  async start(actor: Actor, plan: StartPlan): Promise<BotRecord> {
    const risk = await this.d.risk.state();
    if (risk.state === 'HALTED') throw new UserInputError(`Trading is halted (${risk.reason}); send /resume all first.`);
    const bot = await this.bots.create({ strategy: plan.strategy, symbol: plan.symbol, mode: plan.mode, config: plan.config, preset: plan.preset, createdBy: actor.id, at: new Date(this.d.clock.now()) });
    await this.d.loop.sync();
    return bot;
  }

  async get(id: number): Promise<BotRecord> {
    const bot = await this.bots.get(id);
    if (!bot || bot.status === 'stopped') throw new UserInputError(`There is no running or paused bot #${id}; /bots lists them.`);
    return bot;
  }

  list(includeStopped = false): Promise<BotRecord[]> {
    return this.bots.list({ includeStopped });
  }

  /** Stops a bot, cancelling its orders unless `keep`. */
  async stop(id: number, cancel: boolean): Promise<{ bot: BotRecord; cancelled: number; keptOpen: number }> {
    const bot = await this.get(id);
    let cancelled = 0;
    if (cancel) cancelled = (await this.d.loop.halt(id, false, 'stopped by the owner'))?.cancelled ?? 0;
    await this.bots.setStatus(id, 'stopped', new Date(this.d.clock.now()));
    await this.d.loop.sync();
    const keptOpen = (await new OrderRepository(this.d.prisma).active(id)).length;
    return { bot, cancelled, keptOpen };
  }

  async pause(id: number): Promise<BotRecord> {
    const bot = await this.get(id);
    if (bot.status === 'paused') throw new UserInputError(`Bot #${id} is already paused; /resume ${id} starts it again.`);
    await this.bots.setStatus(id, 'paused');
    await this.d.loop.sync();
    return bot;
  }

  /**
   * The emergency stop: halts the account (no bot opens anything until /resume all), then every bot
   * cancels its open orders; with `flatten`, every bot also sells what it holds. Reports per bot.
   */
  async stopAll(flatten: boolean): Promise<StopAllReport> {
    await this.d.risk.haltManually(flatten ? 'emergency stop with sell-all by the owner' : 'emergency stop by the owner', this.d.clock.now());
    const report: StopAllReport = { perBot: [] };
    for (const bot of await this.bots.list()) {
      await this.bots.setRisk(bot.id, 'halted', 'stopped by /stop_all');
      const label = `#${bot.id} ${bot.strategy} ${bot.symbol}`;
      if (bot.status !== 'running') {
        report.perBot.push({ id: bot.id, label, cancelled: 0, sold: 0, note: `${bot.status}: not running, nothing to cancel here` });
        continue;
      }
      const r = await this.d.loop.halt(bot.id, flatten, flatten ? 'sell-all by the owner' : 'emergency stop by the owner');
      report.perBot.push({ id: bot.id, label, cancelled: r?.cancelled ?? 0, sold: r?.sold ?? 0, ...(r ? {} : { note: 'not running in this process' }) });
    }
    return report;
  }

  /** Lifts /stop_all: the account may trade again and halted bots run again. */
  async resumeAll(): Promise<number> {
    await this.d.risk.resume(this.d.clock.now());
    let n = 0;
    for (const bot of await this.bots.list()) {
      if (bot.riskState === 'halted' || bot.status === 'paused') {
        await this.bots.setRisk(bot.id, 'active', null);
        await this.bots.setStatus(bot.id, 'running');
      }
      n++;
    }
    await this.d.loop.sync();
    return n;
  }

  async resume(id: number): Promise<BotRecord> {
    const bot = await this.get(id);
    if (bot.status === 'running' && bot.riskState !== 'halted') throw new UserInputError(`Bot #${id} is already running.`);
    await this.bots.setStatus(id, 'running');
    if (bot.riskState === 'halted') await this.bots.setRisk(id, 'active', null);
    await this.d.loop.sync();
    return bot;
  }
}

export interface StopAllReport {
  perBot: { id: number; label: string; cancelled: number; sold: number; note?: string }[];
}

function resolveRelativeRange(strategy: string, raw: Record<string, unknown>, parsed: Record<string, unknown>, price: number): Record<string, unknown> {
  if ((strategy !== 'grid' && strategy !== 'hybrid') || parsed.range_pct === undefined) return raw;
  const r = resolveRange(parsed as Parameters<typeof resolveRange>[0], price);
  const out: Record<string, unknown> = { ...raw, lower: sig(r.lower), upper: sig(r.upper) };
  delete out.range_pct;
  if (parsed.stop_loss_pct !== undefined) {
    out.stop_loss = sig(r.stopLoss);
    delete out.stop_loss_pct;
  }
  if (parsed.take_profit_pct !== undefined) {
    out.take_profit = sig(r.takeProfit);
    delete out.take_profit_pct;
  }
  return out;
}

const sig = (v: number): number => Number(v.toPrecision(8));
const pct = (f: number): string => `${roundMoney(f * 100, 4)}%`;
const sentence = (s: string): string => {
  const t = s.trim();
  return (t.charAt(0).toUpperCase() + t.slice(1)).replace(/[.]?$/, '.');
};
