/**
 * Settings the owner changes from chat: risk limits, alert preferences, the trading mode, a bot's
 * config. Validation here; raising a limit or switching to live needs a confirmation (the commands
 * ask for it, then call `apply*`).
 */
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import { ALERT_MODES, ALERT_TYPE_NAMES, AlertPreferencesRepository, isAlertType, type AlertMode, type AlertPreferences } from '../alerts/index.js';
import { formatConfigError } from '../engines/config/errors.js';
import { riskSchema, type RiskLimits } from '../engines/risk/config.js';
import type { RiskState } from '../engines/risk/gate.js';
import { strategies } from '../engines/registry.js';
import type { StrategyName } from '../engines/types.js';
import type { ExchangePort, MarketRules } from '../exchange/types.js';
import { BotRepository, type BotRecord } from '../store/bots.js';
import { SettingsRepository } from '../store/settings.js';
import { RiskMonitor } from '../trading/risk-monitor.js';
import { UserInputError } from './errors.js';

/** Limits where a higher value (or removing it) allows more risk. */
const RAISING: readonly (keyof RiskLimits)[] = ['max_position', 'max_exposure', 'account_max_exposure', 'daily_loss', 'max_drawdown', 'sl_streak'];
/** Grid settings that shape the resting orders: changing them means a new grid. */
const STRUCTURAL = ['lower', 'upper', 'range_pct', 'lines', 'spacing', 'investment', 'base_investment'];
export const MODE_KEY = 'trading:mode';

export interface RiskChange {
  next: RiskLimits;
  /** The owner's overrides as typed, to store. */
  overrides: Record<string, unknown>;
  changed: string[];
  /** Keys whose change allows more risk: they need a confirmation. */
  raised: string[];
}

export interface ConfigChange {
  bot: BotRecord;
  config: Record<string, unknown>;
  changed: string[];
  /** What the change affects, in one sentence. */
  effect: string;
}

const sentence = (s: string): string => (s.charAt(0).toUpperCase() + s.slice(1)).replace(/[.]?$/, '.');

export class SettingsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly risk: RiskMonitor,
    private readonly exchange: ExchangePort,
    private readonly reload: (botId: number) => Promise<void>,
    readonly liveKeysConfigured: boolean,
  ) {}

  riskView(): Promise<[RiskLimits, RiskState]> {
    return Promise.all([this.risk.limits(), this.risk.state()]);
  }

  async planRisk(pairs: Record<string, string>): Promise<RiskChange> {
    const current = await this.risk.limits();
    const overrides = { ...(await this.risk.overrides()), ...pairs };
    const r = riskSchema.safeParse(RiskMonitor.merge(this.risk.rawDefaults, overrides));
    if (!r.success) throw new UserInputError(sentence(formatConfigError(r.error)));
    const next = r.data;
    const changed = Object.keys(pairs);
    const raised = changed.filter((k) => {
      if (!RAISING.includes(k as keyof RiskLimits)) return k === 'on_halt' && next.on_halt === 'cancel' && current.on_halt === 'flatten';
      const a = current[k as keyof RiskLimits] as number | undefined;
      const b = next[k as keyof RiskLimits] as number | undefined;
      return b === undefined ? a !== undefined : a !== undefined && b > a;
    });
    return { next, overrides, changed, raised };
  }

  /** Stores the owner's overrides as typed (they are parsed with the defaults on every read). */
  async applyRisk(change: Pick<RiskChange, 'overrides'>): Promise<void> {
    await this.risk.setOverrides(change.overrides);
  }

  alerts(userId: number): Promise<AlertPreferences> {
    return new AlertPreferencesRepository(this.prisma).get(userId);
  }

  async setAlerts(userId: number, pairs: Record<string, string>): Promise<AlertPreferences> {
    const repo = new AlertPreferencesRepository(this.prisma);
    for (const [k, v] of Object.entries(pairs)) {
      if (!(ALERT_MODES as readonly string[]).includes(v)) throw new UserInputError(`${k}=${v}: use on, silent or off.`);
      if (k !== 'all' && !isAlertType(k)) throw new UserInputError(`"${k}" is not an alert type; use one of ${ALERT_TYPE_NAMES.join(', ')} or all.`);
    }
    let prefs = await repo.get(userId);
    for (const [k, v] of Object.entries(pairs)) prefs = k === 'all' ? await repo.setAll(userId, v as AlertMode) : await repo.set(userId, k as never, v as AlertMode);
    return prefs;
  }

  /** The mode new processes start in: TRADING_MODE, or what /mode stored. */
  async storedMode(): Promise<'paper' | 'live' | null> {
    return (await new SettingsRepository(this.prisma).get(MODE_KEY, z.enum(['paper', 'live']))) ?? null;
  }

  async setMode(mode: 'paper' | 'live'): Promise<void> {
    if (mode === 'live' && !this.liveKeysConfigured) {
      throw new UserInputError('Live trading needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment; set them and restart first.');
    }
    await new SettingsRepository(this.prisma).set(MODE_KEY, z.enum(['paper', 'live']), mode);
  }

  /** Validates a new config for a running bot; refuses changes that would need a new grid. */
  async planConfig(bot: BotRecord, pairs: Record<string, string>): Promise<ConfigChange> {
    const keys = Object.keys(pairs);
    if (keys.length === 0) throw new UserInputError('Give at least one key=value, e.g. /set 3 take_profit=2.');
    if ((bot.strategy === 'grid' || bot.strategy === 'hybrid') && keys.some((k) => STRUCTURAL.includes(k))) {
      const k = keys.find((x) => STRUCTURAL.includes(x))!;
      throw new UserInputError(`${k} shapes the grid's resting orders and cannot change on a running bot; stop it (/stop_bot ${bot.id}) and start a new one.`);
    }
    const entry = strategies[bot.strategy as StrategyName];
    // Bot.config holds the config as typed (parsed again at every start), so merge raw with raw.
    const merged = { ...(bot.config as Record<string, unknown>), ...pairs };
    const r = (entry.schema as z.ZodType).safeParse(merged);
    if (!r.success) throw new UserInputError(sentence(formatConfigError(r.error)));
    const rules: MarketRules = await this.exchange.market(bot.symbol);
    const price = (await this.exchange.fetchTicker(bot.symbol)).last;
    const problem = (entry.check as (c: unknown, r: MarketRules, p: number) => string | null)(r.data, rules, price);
    if (problem) throw new UserInputError(sentence(problem));
    const effect =
      bot.strategy === 'dca'
        ? 'New settings apply to the next deals; the open deal keeps the settings it opened with.'
        : bot.strategy === 'trend'
          ? 'New settings apply from the next signal; an open position keeps its stop and target.'
          : 'New settings apply to what the bot does from now on; resting orders keep their price and size.';
    return { bot, config: merged, changed: keys, effect };
  }

  async applyConfig(change: ConfigChange): Promise<void> {
    await this.prisma.bot.update({ where: { id: change.bot.id }, data: { config: change.config as never } });
    await this.reload(change.bot.id);
  }

  async bot(id: number): Promise<BotRecord> {
    const b = await new BotRepository(this.prisma).get(id);
    if (!b || b.status === 'stopped') throw new UserInputError(`There is no running or paused bot #${id}; /bots lists them.`);
    return b;
  }
}
