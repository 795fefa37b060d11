/**
 * What the paper exchange persists, as plain JSON, and where: a `PaperStateStore` (in memory here,
 * a JSON file for single-process setups; the database-backed one lives with the store layer).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

const num = z.number().finite();
const side = z.enum(['buy', 'sell']);
const fee = z.object({ cost: num, currency: z.string() });

export const paperOrderSchema = z.object({
  id: z.string(),
  clientOrderId: z.string(),
  symbol: z.string(),
  side,
  type: z.enum(['limit', 'market']),
  price: num.nullable(),
  amount: num,
  filled: num,
  remaining: num,
  average: num.nullable(),
  status: z.enum(['open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired']),
  fee: fee.nullable(),
  createdAt: num,
  updatedAt: num,
  /** Balance still locked by this order, and in which asset. */
  locked: num,
  lockedAsset: z.string().nullable(),
  /** Cumulative quote value of the fills (for the average price). */
  cost: num,
  postOnly: z.boolean(),
});
export type PaperOrderRecord = z.infer<typeof paperOrderSchema>;

export const paperTradeSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  clientOrderId: z.string().nullable(),
  symbol: z.string(),
  side,
  price: num,
  amount: num,
  cost: num,
  fee,
  takerOrMaker: z.enum(['maker', 'taker']),
  timestamp: num,
});

export const paperSnapshotSchema = z.object({
  version: z.literal(1),
  balances: z.record(z.string(), z.object({ free: num, used: num })),
  orders: z.array(paperOrderSchema),
  trades: z.array(paperTradeSchema),
  nextOrderId: z.number().int().positive(),
  nextTradeId: z.number().int().positive(),
  /** Per symbol: open time of the next candle to take from the market-data source. */
  cursors: z.record(z.string(), num),
  /** Per symbol: the latest known price. */
  prices: z.record(z.string(), z.object({ bid: num, ask: num, last: num, timestamp: num })),
});
export type PaperSnapshot = z.infer<typeof paperSnapshotSchema>;

export interface PaperStateStore {
  load(): Promise<PaperSnapshot | null>;
  save(snapshot: PaperSnapshot): Promise<void>;
}

/** Keeps the latest snapshot in memory. Each snapshot handed to `save` is a fresh copy owned by the store. */
export class MemoryPaperStateStore implements PaperStateStore {
  private snap: PaperSnapshot | null = null;
  saves = 0;
  constructor(initial?: PaperSnapshot) {
    if (initial) this.snap = structuredClone(initial);
  }
  load(): Promise<PaperSnapshot | null> {
    return Promise.resolve(this.snap === null ? null : structuredClone(this.snap));
  }
  save(snapshot: PaperSnapshot): Promise<void> {
    this.snap = snapshot;
    this.saves++;
    return Promise.resolve();
  }
}

/** One JSON file, replaced atomically (write to a temp file, then rename). */
export class JsonFilePaperStateStore implements PaperStateStore {
  constructor(readonly path: string) {}
  async load(): Promise<PaperSnapshot | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return paperSnapshotSchema.parse(JSON.parse(text));
  }
  async save(snapshot: PaperSnapshot): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify(snapshot));
    await rename(tmp, this.path);
  }
}
