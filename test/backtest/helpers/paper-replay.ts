/**
 * The reference the backtester must agree with: the real PaperExchange in candle-replay mode (a
 * MemoryCandleSource behind a manual clock, as CsvReplaySource runs in the demo), driven through
 * its public port only, with EVERY candle given to the engine (no skipping). Fills are read back
 * with fetchMyTrades, order states with fetchOrder, as a bot runner does.
 */
import { MemoryCandleSource, type CandleSeries } from '../../../src/exchange/market-data/memory.js';
import type { CandleColumns } from '../../../src/exchange/market-data/csv.js';
import { PaperExchange } from '../../../src/exchange/paper/paper-exchange.js';
import { TIMEFRAME_MS, type MarketRules, type Order, type Timeframe } from '../../../src/exchange/types.js';
import type { Engine, EngineEvent, Intent } from '../../../src/engines/types.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { ExchangeError } from '../../../src/exchange/types.js';

export interface ReplayFill {
  seq: number;
  side: string;
  price: number;
  amount: number;
  fee: number;
  feeCurrency: string;
  time: number;
}

const cid = (seq: number): string => `bt-${seq}`;
const seqOf = (id: string | null): number => Number((id ?? 'bt-0').slice(3));

export async function paperReplay(opts: {
  engine: Engine;
  rules: MarketRules;
  cols: CandleColumns;
  timeframe: Timeframe;
  funds: { quote: number; base: number };
  slippage: number;
  pessimistic?: boolean;
  volumeShare?: number | null;
}): Promise<{ fills: ReplayFill[]; quote: number; base: number }> {
  const { engine, rules, cols } = opts;
  const tf = TIMEFRAME_MS[opts.timeframe];
  const clock = new ManualClock(cols.time[0]!);
  const series: CandleSeries = { timeframe: opts.timeframe, columns: cols };
  const source = new MemoryCandleSource(new Map([[rules.symbol, series]]), clock, { kind: 'replay', description: 'test replay' });
  const balances: Record<string, number> = { [rules.quote]: opts.funds.quote };
  if (opts.funds.base > 0) balances[rules.base] = opts.funds.base;
  const paper = await PaperExchange.open({
    markets: new Map([[rules.symbol, rules]]), clock, marketData: source, initialBalances: balances,
    slippage: opts.slippage, pessimistic: opts.pessimistic ?? false, volumeShare: opts.volumeShare ?? null, keepTrades: 100_000, keepClosedOrders: 100_000,
  });
  const fills: ReplayFill[] = [];
  const seen = new Set<string>();
  await paper.fetchTicker(rules.symbol); // first contact: the replay starts at the first candle
  const newTrades = async (queue: EngineEvent[]): Promise<Set<string>> => {
    const touched = new Set<string>();
    for (const t of await paper.fetchMyTrades(rules.symbol, 0)) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      fills.push({ seq: seqOf(t.clientOrderId), side: t.side, price: t.price, amount: t.amount, fee: t.fee.cost, feeCurrency: t.fee.currency, time: t.timestamp });
      queue.push({ type: 'fill', tradeId: t.id, seq: seqOf(t.clientOrderId), side: t.side, price: t.price, amount: t.amount, fee: t.fee.cost, feeCurrency: t.fee.currency, time: t.timestamp });
      if (t.clientOrderId) touched.add(t.clientOrderId);
    }
    return touched;
  };
  const status = (o: Order): EngineEvent => ({ type: 'order', seq: seqOf(o.clientOrderId), status: o.status, filled: o.filled });
  const execute = async (it: Intent, queue: EngineEvent[]): Promise<void> => {
    if (it.kind === 'cancel') {
      try {
        queue.push(status(await paper.cancelOrder(rules.symbol, cid(it.seq))));
      } catch (err) {
        if (!(err instanceof ExchangeError)) throw err;
        queue.push({ type: 'order', seq: it.seq, status: 'canceled', filled: 0 });
      }
      return;
    }
    try {
      const o = await paper.createOrder({ clientOrderId: cid(it.seq), symbol: rules.symbol, side: it.side, type: it.type, amount: it.amount, ...(it.price !== undefined ? { price: it.price } : {}) });
      if (o.filled > 0) await newTrades(queue);
      queue.push(status(o));
    } catch (err) {
      if (!(err instanceof ExchangeError) || err.kind !== 'rejected') throw err;
      queue.push({ type: 'order', seq: it.seq, status: 'rejected', filled: 0, reason: err.message });
    }
  };
  for (let i = 0; i < cols.length; i++) {
    const now = cols.time[i]! + tf;
    clock.set(now);
    const queue: EngineEvent[] = [];
    for (const id of await newTrades(queue)) {
      const o = await paper.fetchOrder(rules.symbol, id);
      if (o) queue.push(status(o));
    }
    queue.push({ type: 'candle', time: cols.time[i]!, open: cols.open[i]!, high: cols.high[i]!, low: cols.low[i]!, close: cols.close[i]!, volume: cols.volume[i]! });
    for (let k = 0; k < queue.length; k++) {
      const out = engine.onEvent(queue[k]!, now);
      for (const it of out.intents) await execute(it, queue);
    }
  }
  const b = await paper.fetchBalance();
  await paper.close();
  return { fills, quote: b[rules.quote]?.total ?? 0, base: b[rules.base]?.total ?? 0 };
}
