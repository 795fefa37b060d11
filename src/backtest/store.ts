/**
 * What the backtester keeps in the database: fetched candles (CandleCache, with the ranges known
 * to be complete kept as a setting so a second run does not fetch again, gaps included) and every
 * run with its config, data range and result (BacktestRun).
 */
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Candle, Timeframe } from '../exchange/types.js';
import { SettingsRepository } from '../store/settings.js';

const rangesSchema = z.array(z.tuple([z.number(), z.number()]));

export interface CandleKey {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
}

/** Merges [from, to) into sorted, non-overlapping ranges. */
export function mergeRange(ranges: readonly (readonly [number, number])[], from: number, to: number): [number, number][] {
  const all = [...ranges.map(([a, b]) => [a, b] as [number, number]), [from, to] as [number, number]].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

export class CandleCacheStore {
  private readonly settings: SettingsRepository;
  constructor(private readonly prisma: PrismaClient) {
    this.settings = new SettingsRepository(prisma);
  }

  private rangeKey(k: CandleKey): string {
    return `backtest.candles.${k.exchange}.${k.symbol}.${k.timeframe}`;
  }

  async ranges(k: CandleKey): Promise<[number, number][]> {
    return (await this.settings.get(this.rangeKey(k), rangesSchema)) ?? [];
  }

  /** The parts of [from, to) not known yet. */
  async missing(k: CandleKey, from: number, to: number): Promise<[number, number][]> {
    const out: [number, number][] = [];
    let t = from;
    for (const [a, b] of await this.ranges(k)) {
      if (b <= t) continue;
      if (a >= to) break;
      if (a > t) out.push([t, a]);
      t = Math.max(t, b);
      if (t >= to) break;
    }
    if (t < to) out.push([t, to]);
    return out;
  }

  /**
   * Candles in [from, to), ascending. Read as one row of comma-joined columns: Prisma's per-row
   * mapping is far slower than the database for tens of thousands of candles.
   */
  async load(k: CandleKey, from: number, to: number): Promise<Candle[]> {
    const cols = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
    const rows = await this.prisma.$queryRawUnsafe<Record<(typeof cols)[number], string | null>[]>(
      `SELECT ${cols.map((c) => `string_agg("${c}"::text, ',' ORDER BY "time") AS "${c}"`).join(', ')}
       FROM "CandleCache" WHERE "exchange" = $1 AND "symbol" = $2 AND "timeframe" = $3 AND "time" >= $4 AND "time" < $5`,
      k.exchange, k.symbol, k.timeframe, BigInt(from), BigInt(to),
    );
    const r = rows[0];
    if (!r || r.time === null) return [];
    const [time, open, high, low, close, volume] = cols.map((c) => (r[c] ?? '').split(',').map(Number)) as [number[], number[], number[], number[], number[], number[]];
    return time.map((t, i) => ({ time: t, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! }));
  }

  /** Stores candles fetched for [from, to) and marks that range complete (one statement per 20k candles). */
  async save(k: CandleKey, candles: readonly Candle[], from: number, to: number): Promise<void> {
    const arr = (i: number, type: string): string => `string_to_array($${i}, ',')::${type}[]`;
    const sql = `INSERT INTO "CandleCache" ("exchange", "symbol", "timeframe", "time", "open", "high", "low", "close", "volume")
      SELECT $1, $2, $3, u.t, u.o, u.h, u.l, u.c, u.v
      FROM UNNEST(${arr(4, 'bigint')}, ${arr(5, 'float8')}, ${arr(6, 'float8')}, ${arr(7, 'float8')}, ${arr(8, 'float8')}, ${arr(9, 'float8')}) AS u(t, o, h, l, c, v)
      ON CONFLICT DO NOTHING`;
    for (let i = 0; i < candles.length; i += 20_000) {
      const part = candles.slice(i, i + 20_000);
      const col = (f: (c: Candle) => number): string => part.map((c) => String(f(c))).join(',');
      await this.prisma.$executeRawUnsafe(sql, k.exchange, k.symbol, k.timeframe, col((c) => c.time), col((c) => c.open), col((c) => c.high), col((c) => c.low), col((c) => c.close), col((c) => c.volume));
    }
    await this.settings.set(this.rangeKey(k), rangesSchema, mergeRange(await this.ranges(k), from, to));
  }
}

export interface RunRecordInput {
  userId: number | null;
  strategy: string;
  symbol: string;
  timeframe: string;
  from: number;
  to: number;
  config: unknown;
  dataSource: string;
  result: unknown;
  durationMs: number;
}

export type StoredRun = Omit<RunRecordInput, 'userId'> & { id: number; createdAt: Date };

const asJson = (v: unknown): object => JSON.parse(JSON.stringify(v ?? null)) as object;

export class BacktestRunStore {
  constructor(private readonly prisma: PrismaClient) {}

  private row(r: RunRecordInput) {
    return {
      userId: r.userId === null ? null : BigInt(r.userId),
      strategy: r.strategy,
      symbol: r.symbol,
      timeframe: r.timeframe,
      fromTime: new Date(r.from),
      toTime: new Date(r.to),
      config: asJson(r.config),
      dataSource: r.dataSource,
      result: asJson(r.result),
      durationMs: Math.round(r.durationMs),
    };
  }

  async record(r: RunRecordInput): Promise<number> {
    const row = await this.prisma.backtestRun.create({ data: this.row(r), select: { id: true } });
    return row.id;
  }

  async recordMany(runs: readonly RunRecordInput[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < runs.length; i += 500) n += (await this.prisma.backtestRun.createMany({ data: runs.slice(i, i + 500).map((r) => this.row(r)) })).count;
    return n;
  }

  async recent(limit = 10, userId?: number): Promise<StoredRun[]> {
    const rows = await this.prisma.backtestRun.findMany({
      ...(userId !== undefined ? { where: { userId: BigInt(userId) } } : {}),
      orderBy: { id: 'desc' },
      take: limit,
    });
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      strategy: r.strategy,
      symbol: r.symbol,
      timeframe: r.timeframe,
      from: r.fromTime.getTime(),
      to: r.toTime.getTime(),
      config: r.config,
      dataSource: r.dataSource,
      result: r.result,
      durationMs: r.durationMs,
    }));
  }
}
