/**
 * Paper balances: free and locked (used) per asset, every value rounded to 8 decimals after each
 * change so repeated fills never accumulate float drift. No I/O.
 */
import { roundMoney } from '../../lib/precision.js';
import type { AssetBalance, Balances } from '../types.js';

export interface LedgerEntry {
  free: number;
  used: number;
}

export class Ledger {
  private readonly entries = new Map<string, LedgerEntry>();

  constructor(initial: Record<string, LedgerEntry> = {}) {
    for (const [asset, e] of Object.entries(initial)) this.entries.set(asset, { free: roundMoney(e.free), used: roundMoney(e.used) });
  }

  private entry(asset: string): LedgerEntry {
    let e = this.entries.get(asset);
    if (!e) {
      e = { free: 0, used: 0 };
      this.entries.set(asset, e);
    }
    return e;
  }

  free(asset: string): number {
    return this.entries.get(asset)?.free ?? 0;
  }

  used(asset: string): number {
    return this.entries.get(asset)?.used ?? 0;
  }

  /** Whether `amount` of free balance exists (with a 1e-9 tolerance for rounding). */
  canSpend(asset: string, amount: number): boolean {
    return this.free(asset) + 1e-9 >= amount;
  }

  /** Moves free -> used. The caller checked `canSpend`. */
  lock(asset: string, amount: number): void {
    const e = this.entry(asset);
    const moved = Math.min(roundMoney(amount), e.free);
    e.free = roundMoney(e.free - moved);
    e.used = roundMoney(e.used + moved);
  }

  /** Moves used -> free (an order canceled or finished with lock left over). */
  unlock(asset: string, amount: number): void {
    const e = this.entry(asset);
    const moved = Math.min(roundMoney(amount), e.used);
    e.used = roundMoney(e.used - moved);
    e.free = roundMoney(e.free + moved);
  }

  /** Removes locked balance (paid for a fill of a resting order). */
  spendLocked(asset: string, amount: number): void {
    const e = this.entry(asset);
    e.used = roundMoney(Math.max(0, e.used - amount));
  }

  /** Removes free balance (paid for an immediate fill). The caller checked `canSpend`. */
  spendFree(asset: string, amount: number): void {
    const e = this.entry(asset);
    e.free = roundMoney(Math.max(0, e.free - amount));
  }

  credit(asset: string, amount: number): void {
    const e = this.entry(asset);
    e.free = roundMoney(e.free + amount);
  }

  balances(): Balances {
    const out: Balances = {};
    for (const [asset, e] of [...this.entries].sort(([a], [b]) => a.localeCompare(b))) {
      if (e.free === 0 && e.used === 0) continue;
      const b: AssetBalance = { free: e.free, used: e.used, total: roundMoney(e.free + e.used) };
      out[asset] = b;
    }
    return out;
  }

  toJSON(): Record<string, LedgerEntry> {
    return Object.fromEntries([...this.entries].map(([a, e]) => [a, { ...e }]));
  }
}
