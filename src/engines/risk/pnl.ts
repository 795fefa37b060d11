/**
 * The day's profit and loss from stored fills and marks (a windowed sum, no counter to reset):
 *   pnl = cash flow of the day's fills (sells - buys - fees)
 *       + position now * mark now - position at the day's start * mark at the day's start
 * where the position at the day's start is the position now minus the day's net fills. This is
 * realised plus unrealised profit over the day, in the quote currency (one quote per account).
 */
import type { Side } from '../../exchange/types.js';

export interface RiskFill {
  /** Unified symbol 'BASE/QUOTE'. */
  symbol: string;
  side: Side;
  price: number;
  amount: number;
  fee: number;
  feeCurrency: string;
  time: number;
  /** The fee's value in quote when it was paid in a third currency (e.g. BNB). */
  feeQuote?: number;
}

export interface RiskMark {
  /** Price at the start of the local day. */
  atDayStart: number;
  /** Price now. */
  now: number;
}

export interface DailyPnl {
  pnl: number;
  /** Symbols whose marks were missing (the day's fill prices were used instead). */
  estimated: string[];
}

interface Acc {
  cash: number;
  delta: number;
  first: number;
  last: number;
}

export function dailyPnl(
  fills: readonly RiskFill[],
  positions: Readonly<Record<string, number>>,
  marks: Readonly<Record<string, RiskMark>>,
  dayStart: number,
  now: number,
): DailyPnl {
  const per = new Map<string, Acc>();
  for (const f of fills) {
    if (f.time < dayStart || f.time > now) continue;
    let a = per.get(f.symbol);
    if (a === undefined) {
      a = { cash: 0, delta: 0, first: f.price, last: f.price };
      per.set(f.symbol, a);
    }
    const slash = f.symbol.indexOf('/');
    const base = f.symbol.slice(0, slash);
    const quote = f.symbol.slice(slash + 1);
    const notional = f.price * f.amount;
    if (f.side === 'buy') {
      a.cash -= notional;
      a.delta += f.amount;
    } else {
      a.cash += notional;
      a.delta -= f.amount;
    }
    if (f.feeCurrency === quote) a.cash -= f.fee;
    else if (f.feeCurrency === base) a.delta -= f.fee;
    else a.cash -= f.feeQuote ?? 0;
    a.last = f.price;
  }
  let pnl = 0;
  const estimated: string[] = [];
  const symbols = new Set<string>([...per.keys(), ...Object.keys(positions)]);
  for (const sym of [...symbols].sort()) {
    const a = per.get(sym) ?? { cash: 0, delta: 0, first: 0, last: 0 };
    const pos = positions[sym] ?? 0;
    const m = marks[sym];
    let start = m?.atDayStart ?? 0;
    let cur = m?.now ?? 0;
    if (!(start > 0) || !(cur > 0)) {
      if (a.first > 0) {
        if (!(start > 0)) start = a.first;
        if (!(cur > 0)) cur = a.last;
        estimated.push(sym);
      } else if (pos !== 0) {
        estimated.push(sym);
        continue;
      }
    }
    pnl += a.cash + pos * cur - (pos - a.delta) * start;
  }
  return { pnl, estimated };
}
