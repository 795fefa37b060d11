/**
 * The backtest's exchange: the paper exchange's own order book state machine (PaperBook: the
 * shared matching rules, precision and minimum checks, fees, slippage, funds), driven
 * synchronously, translated into the engine's events. Nothing here is backtest-specific matching:
 * a fill in a backtest is exactly the fill the paper exchange would make on the same candle.
 */
import { ExchangeError, type Candle, type MarketRules, type Side } from '../exchange/types.js';
import { PaperBook, freshSnapshot } from '../exchange/paper/book.js';
import type { EngineEvent, Intent } from '../engines/types.js';

export interface SimExchangeOptions {
  /** Market-order slippage as a fraction (0.0005 = 0.05 %). */
  slippage: number;
  /** Limit orders need one tick beyond their price to fill. */
  pessimistic: boolean;
  /** Partial fills: at most this share of a candle's volume fills per candle; null = off. */
  volumeShare: number | null;
}

/** One trade of the simulated account (for parity checks and the result's statistics). */
export interface SimFill {
  seq: number;
  side: Side;
  price: number;
  amount: number;
  fee: number;
  feeCurrency: string;
  /** The fee in quote (a base fee valued at the fill price). */
  feeQuote: number;
  maker: boolean;
  time: number;
}

const CID_PREFIX = 'bt-';

export const clientIdOf = (seq: number): string => `${CID_PREFIX}${seq}`;
const seqOf = (cid: string | null): number => (cid === null ? 0 : Number(cid.slice(CID_PREFIX.length)));

export class SimExchange {
  private readonly book: PaperBook;
  private lastTradeId = 0;
  private lastTradeTime = 0;
  /** Highest resting buy and lowest resting sell (what a candle must reach to fill something); see settle(). */
  maxBuy = -Infinity;
  minSell = Infinity;
  /** Totals (free + locked) of the account; see settle(). */
  quote = 0;
  base = 0;
  private dirty = true;
  placed = 0;
  rejected = 0;
  cancelled = 0;
  readonly fills: SimFill[] = [];

  constructor(
    readonly rules: MarketRules,
    funds: { quote: number; base: number },
    opts: SimExchangeOptions,
    /** Keep every fill in `fills` (parity tests, small runs). Counters are kept either way. */
    private readonly keepFills = false,
  ) {
    const start: Record<string, number> = { [rules.quote]: funds.quote };
    if (funds.base > 0) start[rules.base] = funds.base;
    this.book = new PaperBook(freshSnapshot(start), {
      slippage: opts.slippage,
      pessimistic: opts.pessimistic,
      volumeShare: opts.volumeShare,
      keepClosedOrders: 32,
      keepTrades: 128,
    });
    this.settle();
  }

  fillCount = 0;
  feesQuote = 0;
  /** Quote traded (sum of price * amount). */
  volumeQuote = 0;

  /** Matches the resting orders against one candle; pushes the engine events it causes. */
  applyCandle(c: Candle, out: EngineEvent[]): void {
    const n = this.book.applyCandle(this.rules, c);
    if (n > 0) this.collect(out);
  }

  /** Carries out one intent at time `now`; pushes the engine events it causes. */
  execute(it: Intent, now: number, out: EngineEvent[]): void {
    const r = this.rules;
    const cid = clientIdOf(it.seq);
    if (it.kind === 'cancel') {
      let status: EngineEvent;
      try {
        const rec = this.book.cancel(r.symbol, cid, now);
        this.cancelled++;
        status = { type: 'order', seq: it.seq, status: rec.status, filled: rec.filled };
      } catch (err) {
        if (!(err instanceof ExchangeError)) throw err;
        status = { type: 'order', seq: it.seq, status: 'canceled', filled: 0 };
      }
      out.push(status);
      this.dirty = true;
      return;
    }
    try {
      const rec = this.book.place(r, { clientOrderId: cid, symbol: r.symbol, side: it.side, type: it.type, amount: it.amount, ...(it.price !== undefined ? { price: it.price } : {}) }, now);
      this.placed++;
      if (rec.filled > 0) this.collectTrades(out);
      out.push({ type: 'order', seq: it.seq, status: rec.status, filled: rec.filled });
    } catch (err) {
      if (!(err instanceof ExchangeError) || err.kind !== 'rejected') throw err;
      this.rejected++;
      out.push({ type: 'order', seq: it.seq, status: 'rejected', filled: 0, reason: err.message });
    }
    this.dirty = true;
  }

  /** New trades (fills), then the status of every order they touched. */
  private collect(out: EngineEvent[]): void {
    const touched = this.collectTrades(out);
    for (const cid of touched) {
      const rec = this.book.find(this.rules.symbol, cid);
      if (rec) out.push({ type: 'order', seq: seqOf(cid), status: rec.status, filled: rec.filled });
    }
    this.dirty = true;
  }

  private collectTrades(out: EngineEvent[]): string[] {
    const touched: string[] = [];
    const r = this.rules;
    for (const t of this.book.tradesSince(r.symbol, Math.max(0, this.lastTradeTime))) {
      const id = Number(t.id);
      if (id <= this.lastTradeId) continue;
      this.lastTradeId = id;
      this.lastTradeTime = t.timestamp;
      const seq = seqOf(t.clientOrderId);
      const feeQuote = t.fee.currency === r.quote ? t.fee.cost : t.fee.cost * t.price;
      this.fillCount++;
      this.feesQuote += feeQuote;
      this.volumeQuote += t.cost;
      if (this.keepFills) {
        this.fills.push({ seq, side: t.side, price: t.price, amount: t.amount, fee: t.fee.cost, feeCurrency: t.fee.currency, feeQuote, maker: t.takerOrMaker === 'maker', time: t.timestamp });
      }
      out.push({ type: 'fill', tradeId: t.id, seq, side: t.side, price: t.price, amount: t.amount, fee: t.fee.cost, feeCurrency: t.fee.currency, time: t.timestamp });
      if (t.clientOrderId !== null && !touched.includes(t.clientOrderId)) touched.push(t.clientOrderId);
    }
    return touched;
  }

  /** Brings maxBuy, minSell, quote and base up to date after changes (cheap when nothing changed). */
  settle(): void {
    if (!this.dirty) return;
    this.dirty = false;
    let maxBuy = -Infinity;
    let minSell = Infinity;
    for (const o of this.book.openOrders(this.rules.symbol)) {
      if (o.type !== 'limit' || o.price === null) {
        // A waiting market order fills on the next candle: wake on it.
        maxBuy = Infinity;
        continue;
      }
      if (o.side === 'buy') {
        if (o.price > maxBuy) maxBuy = o.price;
      } else if (o.price < minSell) minSell = o.price;
    }
    this.maxBuy = maxBuy;
    this.minSell = minSell;
    const b = this.book.balances();
    this.quote = b[this.rules.quote]?.total ?? 0;
    this.base = b[this.rules.base]?.total ?? 0;
  }

  /** Sets the last price without matching (the first candle's open, before anything is placed). */
  seedPrice(time: number, price: number): void {
    this.book.applyTicker(this.rules, { symbol: this.rules.symbol, bid: price, ask: price, last: price, timestamp: time });
  }
}
