// Mark prices sampled by the trading loop, for unrealised PnL over a window (daily loss, drawdown).
import type { DbClient } from './client.js';
import { dec, num } from './decimal.js';

export class MarkRepository {
  constructor(private readonly db: DbClient) {}

  /** Records a mark, at most one per symbol per minute (the minute's last price wins). */
  async record(symbol: string, price: number, at: number): Promise<void> {
    const minute = new Date(Math.floor(at / 60_000) * 60_000);
    await this.db.markPrice.upsert({
      where: { symbol_at: { symbol, at: minute } },
      create: { symbol, at: minute, price: dec(price) },
      update: { price: dec(price) },
    });
  }

  /** The last mark at or before `at`, or null. */
  async at(symbol: string, at: number): Promise<number | null> {
    const r = await this.db.markPrice.findFirst({ where: { symbol, at: { lte: new Date(at) } }, orderBy: { at: 'desc' } });
    return r ? num(r.price) : null;
  }

  async latest(symbol: string): Promise<number | null> {
    const r = await this.db.markPrice.findFirst({ where: { symbol }, orderBy: { at: 'desc' } });
    return r ? num(r.price) : null;
  }

  async prune(before: number): Promise<number> {
    return (await this.db.markPrice.deleteMany({ where: { at: { lt: new Date(before) } } })).count;
  }
}
