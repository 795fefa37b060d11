/**
 * Positions and profit from stored fills: pure functions, so every number shown to the owner can be
 * traced to the fills it came from. Average-cost accounting, fees included:
 * - a buy adds `amount - fee(base)` to the position at cost `price*amount + fee(quote)`;
 * - a sell removes `amount` and realises `proceeds - fee(quote) - avgCost*amount`.
 */
export interface LedgerFill {
  side: 'buy' | 'sell';
  price: number;
  amount: number;
  fee: number;
  feeCurrency: string;
  at: number;
}

export interface Position {
  base: string;
  quote: string;
  /** Base held (after fees charged in base). */
  amount: number;
  /** Average entry price of what is held, fees included. */
  averageEntry: number;
  /** Quote spent on what is held (amount * averageEntry). */
  costBasis: number;
  /** Realised profit in quote, after fees. */
  realised: number;
  /** Fees paid, valued in quote at the fill price. */
  feesQuote: number;
  buys: number;
  sells: number;
  /** Quote paid for buys minus quote received from sells (net invested). */
  netInvested: number;
  /** Round trips: sells that closed part of a position, with their realised profit. */
  closes: { at: number; profit: number }[];
}

const EPS = 1e-12;

export function emptyPosition(base: string, quote: string): Position {
  return { base, quote, amount: 0, averageEntry: 0, costBasis: 0, realised: 0, feesQuote: 0, buys: 0, sells: 0, netInvested: 0, closes: [] };
}

/** Applies one fill to a position (mutates and returns it). */
export function applyFill(p: Position, f: LedgerFill): Position {
  const feeInBase = f.feeCurrency === p.base ? f.fee : 0;
  const feeInQuote = f.feeCurrency === p.quote ? f.fee : 0;
  const feeQuoteValue = feeInQuote + feeInBase * f.price;
  p.feesQuote += feeQuoteValue;
  if (f.side === 'buy') {
    const received = f.amount - feeInBase;
    const paid = f.price * f.amount + feeInQuote;
    p.costBasis += paid;
    p.amount += received;
    p.averageEntry = p.amount > EPS ? p.costBasis / p.amount : 0;
    p.netInvested += paid;
    p.buys++;
  } else {
    const sold = Math.min(f.amount, Math.max(p.amount, 0));
    const proceeds = f.price * f.amount - feeInQuote;
    const cost = p.averageEntry * sold;
    // Base sold beyond what the fills show as held (e.g. a base investment) realises at zero cost basis.
    const profit = proceeds - cost - feeInBase * f.price;
    p.realised += profit;
    p.closes.push({ at: f.at, profit });
    p.amount -= f.amount + feeInBase;
    p.costBasis -= cost;
    if (p.amount <= EPS) {
      p.amount = Math.max(0, p.amount);
      p.costBasis = 0;
      p.averageEntry = 0;
    }
    p.netInvested -= proceeds;
    p.sells++;
  }
  return p;
}

export function positionFrom(fills: readonly LedgerFill[], base: string, quote: string): Position {
  const p = emptyPosition(base, quote);
  for (const f of [...fills].sort((a, b) => a.at - b.at)) applyFill(p, f);
  return p;
}

/** Unrealised profit of a position at a mark price. */
export function unrealised(p: Position, mark: number): number {
  return p.amount * mark - p.costBasis;
}

export interface PerformanceStats {
  trades: number;
  wins: number;
  losses: number;
  winRate: number;
  grossProfit: number;
  grossLoss: number;
  /** grossProfit / grossLoss; Infinity when there was no loss, 0 when no trade. */
  profitFactor: number;
  averageWin: number;
  averageLoss: number;
  net: number;
}

export function performanceOf(profits: readonly number[]): PerformanceStats {
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const p of profits) {
    if (p > 0) {
      wins++;
      grossProfit += p;
    } else if (p < 0) {
      losses++;
      grossLoss -= p;
    }
  }
  const trades = profits.length;
  return {
    trades,
    wins,
    losses,
    winRate: trades ? wins / trades : 0,
    grossProfit,
    grossLoss,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0,
    averageWin: wins ? grossProfit / wins : 0,
    averageLoss: losses ? grossLoss / losses : 0,
    net: grossProfit - grossLoss,
  };
}
