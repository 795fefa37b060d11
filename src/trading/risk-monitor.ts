/**
 * The account-wide risk gate, evaluated once per trading cycle from stored fills and marks
 * (a windowed sum: no midnight counter to forget). Its state is persisted in the settings table, so a
 * halt survives restarts.
 */
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import { riskSchema, type RiskLimits } from '../engines/risk/config.js';
import { startOfLocalDay } from '../engines/risk/day.js';
import { evaluateRisk, initialRiskState, resetRisk, type RiskDecision, type RiskState } from '../engines/risk/gate.js';
import type { RiskFill, RiskMark } from '../engines/risk/pnl.js';
import { FillRepository } from '../store/fills.js';
import { MarkRepository } from '../store/marks.js';
import { SettingsRepository } from '../store/settings.js';

export const RISK_LIMITS_KEY = 'risk:limits';
export const RISK_STATE_KEY = 'risk:state';

const riskStateSchema = z.object({
  version: z.literal(1),
  state: z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  breach: z.string(),
  reason: z.string(),
  since: z.number(),
  until: z.number(),
  peakEquity: z.number(),
});
const limitsJson = z.record(z.string(), z.unknown());

/** What the loop knows about each running bot this cycle. */
export interface BotExposure {
  symbol: string;
  /** Base held, as the engine tracks it from fills. */
  base: number;
  quote: number;
  lockedQuote: number;
  price: number;
}

export class RiskMonitor {
  constructor(
    private readonly prisma: PrismaClient,
    /** Limits from configs/default.yaml as typed (raw input), overridden by /risk (stored in settings, raw too). */
    private readonly defaults: Record<string, unknown>,
  ) {}

  /** The owner's overrides as typed ('off' removes a limit). */
  async overrides(): Promise<Record<string, unknown>> {
    return (await new SettingsRepository(this.prisma).get(RISK_LIMITS_KEY, limitsJson)) ?? {};
  }

  /** Parses defaults + overrides together (raw input is parsed once, never a parsed value again). */
  static merge(defaults: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
    const raw: Record<string, unknown> = { ...defaults, ...overrides };
    for (const [k, v] of Object.entries(raw)) if (v === 'off' || v === 'none') delete raw[k];
    return raw;
  }

  async limits(): Promise<RiskLimits> {
    return riskSchema.parse(RiskMonitor.merge(this.defaults, await this.overrides()));
  }

  async setOverrides(overrides: Record<string, unknown>): Promise<void> {
    await new SettingsRepository(this.prisma).set(RISK_LIMITS_KEY, limitsJson, overrides);
  }

  get rawDefaults(): Record<string, unknown> {
    return this.defaults;
  }

  async state(): Promise<RiskState> {
    return (await new SettingsRepository(this.prisma).get(RISK_STATE_KEY, riskStateSchema)) ?? initialRiskState();
  }

  async saveState(s: RiskState): Promise<void> {
    await new SettingsRepository(this.prisma).set(RISK_STATE_KEY, riskStateSchema, s);
  }

  /** The owner's emergency stop: HALTED until /resume all (until = 0: it does not lapse). */
  async haltManually(reason: string, now: number): Promise<void> {
    const prev = await this.state();
    await this.saveState({ ...prev, state: 'HALTED', breach: 'manual', reason, since: now, until: 0 });
  }

  /** The owner lifts a halt; the drawdown peak restarts from the next evaluation. */
  async resume(now: number): Promise<void> {
    await this.saveState(resetRisk(0, now));
  }

  async evaluate(now: number, bots: readonly BotExposure[]): Promise<{ decision: RiskDecision; limits: RiskLimits; exposure: number }> {
    const limits = await this.limits();
    const prev = await this.state();
    const dayStart = startOfLocalDay(now, limits.time_zone);
    const marksRepo = new MarkRepository(this.prisma);
    const positions: Record<string, number> = {};
    const marks: Record<string, RiskMark> = {};
    let exposure = 0;
    let equity = 0;
    for (const b of bots) {
      positions[b.symbol] = (positions[b.symbol] ?? 0) + b.base;
      exposure += b.base * b.price + b.lockedQuote;
      equity += b.quote + b.lockedQuote + b.base * b.price;
      if (!marks[b.symbol] && b.price > 0) {
        await marksRepo.record(b.symbol, b.price, now);
        marks[b.symbol] = { atDayStart: (await marksRepo.at(b.symbol, dayStart)) ?? b.price, now: b.price };
      }
    }
    const fills: RiskFill[] = (await new FillRepository(this.prisma).all(new Date(dayStart))).map((f) => ({
      symbol: f.symbol,
      side: f.side,
      price: f.price,
      amount: f.amount,
      fee: f.fee,
      feeCurrency: f.feeCurrency,
      feeQuote: f.feeQuote,
      time: f.at.getTime(),
    }));
    const decision = evaluateRisk(
      limits,
      { now, bot: { positionValue: 0, openBuyValue: 0, exits: [] }, account: { exposure, equity, fills, positions, marks } },
      prev,
    );
    if (JSON.stringify(decision.state) !== JSON.stringify(prev)) await this.saveState(decision.state);
    return { decision, limits, exposure };
  }
}
