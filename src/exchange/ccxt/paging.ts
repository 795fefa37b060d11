/** Paging of long ranges: candles by 1000, own trades by 24-hour windows (Binance's limit). */
import { TIMEFRAME_MS, type Candle, type Timeframe, type Trade } from '../types.js';

export const CANDLES_PER_PAGE = 1000;
export const TRADES_PER_PAGE = 1000;
const DAY = 86_400_000;

/** Candles in [since, until): pages until a short page; ascending, no duplicates. */
export async function pageCandles(
  timeframe: Timeframe,
  since: number,
  until: number,
  fetchPage: (from: number, limit: number) => Promise<Candle[]>,
): Promise<Candle[]> {
  const tfMs = TIMEFRAME_MS[timeframe];
  const out: Candle[] = [];
  let from = since;
  while (from < until) {
    const page = await fetchPage(from, CANDLES_PER_PAGE);
    let next = from;
    for (const c of page) {
      if (c.time < from || c.time >= until) continue;
      if (out.length > 0 && c.time <= out[out.length - 1]!.time) continue;
      out.push(c);
      next = c.time + tfMs;
    }
    if (page.length < CANDLES_PER_PAGE || next === from) break;
    from = next;
  }
  return out;
}

/** Own trades with timestamp in [since, now]: one request per day of history at least. */
export async function pageTrades(
  since: number,
  now: number,
  fetchPage: (from: number, to: number, limit: number) => Promise<Trade[]>,
): Promise<Trade[]> {
  const seen = new Set<string>();
  const out: Trade[] = [];
  let from = since;
  while (from <= now) {
    const to = Math.min(from + DAY - 1, now);
    const page = await fetchPage(from, to, TRADES_PER_PAGE);
    for (const t of page) {
      if (t.timestamp < since || seen.has(t.id)) continue;
      seen.add(t.id);
      out.push(t);
    }
    const last = page[page.length - 1];
    // A full page: more trades in this window, from the last one's time on (duplicates skipped).
    if (page.length >= TRADES_PER_PAGE && last && last.timestamp > from) from = last.timestamp;
    else from = to + 1;
  }
  return out.sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
