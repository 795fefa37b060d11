/**
 * Read-only views over stored fills and orders: positions, profit, performance, trades. Every number
 * comes from the fills table (the ledger recomputes it), marked at the exchange's current price.
 */
import { performance } from 'node:perf_hooks';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { ExchangePort } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';
import { BotRepository, type BotRecord } from '../store/bots.js';
import { FillRepository, type FillRecord } from '../store/fills.js';
import { OrderRepository, type OrderRecord } from '../store/orders.js';
import { applyFill, performanceOf, positionFrom, unrealised, type PerformanceStats, type Position } from '../trading/ledger.js';

export interface BotPosition {
  bot: BotRecord;
  position: Position;
  mark: number | null;
  unrealised: number | null;
}

export interface PnlReport {
  period: string;
  since: number | null;
  realised: number;
  fees: number;
  fills: number;
  unrealisedNow: number;
  perBot: { bot: BotRecord; realised: number; fills: number }[];
}

const toLedger = (f: FillRecord) => ({ side: f.side, price: f.price, amount: f.amount, fee: f.fee, feeCurrency: f.feeCurrency, at: f.at.getTime() });
const split = (symbol: string): [string, string] => {
  const [b = symbol, q = ''] = symbol.split('/');
  return [b, q];
};

export const PERIODS: Record<string, number | null> = { today: -1, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: null };

export class ReportService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly exchange: ExchangePort,
    private readonly clock: Clock,
    private readonly startOfDay: (now: number) => number,
  ) {}

  private async mark(symbol: string): Promise<number | null> {
    try {
      return (await this.exchange.fetchTicker(symbol)).last;
    } catch {
      return null;
    }
  }

  private cached: { at: number; includeStopped: boolean; value: Promise<BotPosition[]> } | null = null;

  /**
   * Positions of every bot, from all stored fills in one query, marked at the current price.
   * Concurrent callers (many chats at once) share one computation, reused for up to a second.
   */
  positions(includeStopped = false): Promise<BotPosition[]> {
    // Cache age on the process's monotonic timer (the market clock may be a fast replay).
    const now = performance.now();
    const c = this.cached;
    if (c && c.includeStopped === includeStopped && now - c.at < 1_000 && now >= c.at) return c.value;
    const value = this.computePositions(includeStopped);
    this.cached = { at: now, includeStopped, value };
    value.catch(() => {
      if (this.cached?.value === value) this.cached = null;
    });
    return value;
  }

  /** Positions folded from fills so far (by fill id); only newer fills are read on each call. */
  private ledgers = new Map<number, Position>();
  private lastFillId = 0n;

  private async computePositions(includeStopped: boolean): Promise<BotPosition[]> {
    const bots = await new BotRepository(this.prisma).list({ includeStopped });
    const fresh = await new FillRepository(this.prisma).after(this.lastFillId);
    for (const { id, fill } of fresh) {
      let p = this.ledgers.get(fill.botId);
      if (!p) {
        const [base, quote] = split(fill.symbol);
        p = positionFrom([], base, quote);
        this.ledgers.set(fill.botId, p);
      }
      applyFill(p, toLedger(fill));
      if (id > this.lastFillId) this.lastFillId = id;
    }
    const marks = new Map<string, number | null>();
    for (const symbol of new Set(bots.map((b) => b.symbol))) marks.set(symbol, await this.mark(symbol));
    return bots.map((bot) => {
      const [base, quote] = split(bot.symbol);
      const position = { ...(this.ledgers.get(bot.id) ?? positionFrom([], base, quote)) };
      const mark = marks.get(bot.symbol) ?? null;
      return { bot, position, mark, unrealised: mark === null ? null : unrealised(position, mark) };
    });
  }

  async orders(botId?: number): Promise<OrderRecord[]> {
    return new OrderRepository(this.prisma).active(botId);
  }

  async trades(limit: number, botId?: number): Promise<FillRecord[]> {
    return new FillRepository(this.prisma).recent(limit, botId);
  }

  async pnl(period: keyof typeof PERIODS): Promise<PnlReport> {
    const now = this.clock.now();
    const span = PERIODS[period];
    const since = span === null || span === undefined ? null : span === -1 ? this.startOfDay(now) : now - span;
    const bots = await new BotRepository(this.prisma).list({ includeStopped: true });
    const fills = new FillRepository(this.prisma);
    let realised = 0;
    let fees = 0;
    let count = 0;
    const perBot: PnlReport['perBot'] = [];
    for (const bot of bots) {
      const [base, quote] = split(bot.symbol);
      const all = (await fills.byBot(bot.id)).map(toLedger);
      const p = positionFrom(all, base, quote);
      const inWindow = p.closes.filter((c) => since === null || c.at >= since);
      const r = inWindow.reduce((s, c) => s + c.profit, 0);
      const windowFills = all.filter((f) => since === null || f.at >= since);
      const f = (await fills.byBot(bot.id, since === null ? undefined : new Date(since))).reduce((s, x) => s + x.feeQuote, 0);
      realised += r;
      fees += f;
      count += windowFills.length;
      if (windowFills.length > 0 || r !== 0) perBot.push({ bot, realised: r, fills: windowFills.length });
    }
    const unrealisedNow = (await this.positions()).reduce((s, p) => s + (p.unrealised ?? 0), 0);
    return { period, since, realised, fees, fills: count, unrealisedNow, perBot };
  }

  /** Win rate, profit factor, average win/loss: overall, by strategy, and by exit reason (order tag). */
  async performance(): Promise<{ overall: PerformanceStats; byStrategy: Record<string, PerformanceStats>; byExit: Record<string, PerformanceStats> }> {
    const bots = await new BotRepository(this.prisma).list({ includeStopped: true });
    const fills = new FillRepository(this.prisma);
    const overall: number[] = [];
    const byStrategy: Record<string, number[]> = {};
    const byExit: Record<string, number[]> = {};
    for (const bot of bots) {
      const [base, quote] = split(bot.symbol);
      const rows = await fills.byBot(bot.id);
      const tags = new Map((await this.prisma.order.findMany({ where: { botId: bot.id }, select: { clientOrderId: true, tag: true } })).map((o) => [o.clientOrderId, o.tag]));
      const p = positionFrom([], base, quote);
      for (const f of rows) {
        const before = p.closes.length;
        applyFill(p, toLedger(f));
        if (p.closes.length > before) {
          const profit = p.closes.at(-1)!.profit;
          overall.push(profit);
          (byStrategy[bot.strategy] ??= []).push(profit);
          (byExit[exitReason(tags.get(f.clientOrderId) ?? '')] ??= []).push(profit);
        }
      }
    }
    const map = (m: Record<string, number[]>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, performanceOf(v)]));
    return { overall: performanceOf(overall), byStrategy: map(byStrategy), byExit: map(byExit) };
  }
}

/** Exit reason from an order tag: take profit, stop loss, grid cycle, manual (flatten/stop). */
export function exitReason(tag: string): string {
  if (/stop|sl/.test(tag)) return 'stop loss';
  if (/flatten|manual|close/.test(tag)) return 'manual';
  if (/tp|take|profit|target/.test(tag)) return 'take profit';
  if (/grid/.test(tag)) return 'grid cycle';
  return tag || 'other';
}
