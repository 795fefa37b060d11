// Fills: each exchange trade of our orders stored exactly once (unique exchange + symbol + trade id).
import type { DbClient } from './client.js';
import { dec, num } from './decimal.js';

export interface FillRecord {
  exchange: string;
  symbol: string;
  tradeId: string;
  botId: number;
  clientOrderId: string;
  side: 'buy' | 'sell';
  price: number;
  amount: number;
  cost: number;
  fee: number;
  feeCurrency: string;
  feeQuote: number;
  maker: boolean;
  at: Date;
}

type Row = Awaited<ReturnType<DbClient['fill']['findFirstOrThrow']>>;
const toRecord = (r: Row): FillRecord => ({
  exchange: r.exchange,
  symbol: r.symbol,
  tradeId: r.tradeId,
  botId: r.botId,
  clientOrderId: r.clientOrderId,
  side: r.side as 'buy' | 'sell',
  price: num(r.price),
  amount: num(r.amount),
  cost: num(r.cost),
  fee: num(r.fee),
  feeCurrency: r.feeCurrency,
  feeQuote: num(r.feeQuote),
  maker: r.maker,
  at: r.at,
});

export class FillRepository {
  constructor(private readonly db: DbClient) {}

  /** Inserts the fills not stored yet; returns the trade ids that were new (idempotent ingestion). */
  async insertNew(fills: readonly FillRecord[]): Promise<Set<string>> {
    if (fills.length === 0) return new Set();
    const existing = await this.db.fill.findMany({
      where: { OR: fills.map((f) => ({ exchange: f.exchange, symbol: f.symbol, tradeId: f.tradeId })) },
      select: { tradeId: true, symbol: true, exchange: true },
    });
    const seen = new Set(existing.map((e) => `${e.exchange}|${e.symbol}|${e.tradeId}`));
    const fresh = fills.filter((f) => !seen.has(`${f.exchange}|${f.symbol}|${f.tradeId}`));
    const unique = [...new Map(fresh.map((f) => [`${f.exchange}|${f.symbol}|${f.tradeId}`, f])).values()];
    if (unique.length > 0) {
      await this.db.fill.createMany({
        data: unique.map((f) => ({
          exchange: f.exchange,
          symbol: f.symbol,
          tradeId: f.tradeId,
          botId: f.botId,
          clientOrderId: f.clientOrderId,
          side: f.side,
          price: dec(f.price),
          amount: dec(f.amount),
          cost: dec(f.cost),
          fee: dec(f.fee),
          feeCurrency: f.feeCurrency,
          feeQuote: dec(f.feeQuote),
          maker: f.maker,
          at: f.at,
        })),
        skipDuplicates: true,
      });
    }
    return new Set(unique.map((f) => f.tradeId));
  }

  async byBot(botId: number, since?: Date): Promise<FillRecord[]> {
    const rows = await this.db.fill.findMany({ where: { botId, ...(since ? { at: { gte: since } } : {}) }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    return rows.map(toRecord);
  }

  /** Fills stored after the fill with id `afterId`, in id (ingestion) order, with their ids. */
  async after(afterId: bigint, limit = 100_000): Promise<{ id: bigint; fill: FillRecord }[]> {
    const rows = await this.db.fill.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: limit });
    return rows.map((r) => ({ id: r.id, fill: toRecord(r) }));
  }

  async forBots(botIds: readonly number[]): Promise<FillRecord[]> {
    const rows = await this.db.fill.findMany({ where: { botId: { in: [...botIds] } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    return rows.map(toRecord);
  }

  async all(since?: Date): Promise<FillRecord[]> {
    const rows = await this.db.fill.findMany({ where: since ? { at: { gte: since } } : {}, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    return rows.map(toRecord);
  }

  async recent(limit: number, botId?: number): Promise<FillRecord[]> {
    const rows = await this.db.fill.findMany({ where: botId !== undefined ? { botId } : {}, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: limit });
    return rows.map(toRecord);
  }
}

/** The trade ids among `tradeIds` already stored for (exchange, symbol). */
export async function knownTradeIds(db: DbClient, exchange: string, symbol: string, tradeIds: readonly string[]): Promise<Set<string>> {
  if (tradeIds.length === 0) return new Set();
  const rows = await db.fill.findMany({ where: { exchange, symbol, tradeId: { in: [...tradeIds] } }, select: { tradeId: true } });
  return new Set(rows.map((r) => r.tradeId));
}
