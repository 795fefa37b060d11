/**
 * The crash harness's verdict, from the database, the exchange (emulator or paper book) and the
 * messages the fake Telegram server received:
 * - no client order id reached the exchange twice, and every order there is known to the database;
 * - every trade of the bots on the exchange is a fill in the database exactly once, and no other fill;
 * - the exchange's balances equal the start plus what the stored fills add up to;
 * - the database's open orders are the exchange's open orders, and none is left in doubt;
 * - every alert row was delivered, no alert text went out twice without the "(repeated ...)" mark.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { REPEATED_NOTE } from '../alerts/compose.js';

export interface ExchangeOrderView {
  clientOrderId: string;
  open: boolean;
}

export interface ExchangeTradeView {
  id: string;
  clientOrderId: string | null;
}

export interface ExchangeView {
  /** Every order the exchange accepted (a client id twice = twice). */
  orders: ExchangeOrderView[];
  trades: ExchangeTradeView[];
  /** Totals (free + locked) per asset. */
  balances: Record<string, number>;
  /** The exchange may forget old closed orders and trades (the paper book keeps the latest). */
  truncated: boolean;
}

export interface SentMessage {
  messageId: number;
  html: string;
}

export interface CrashCheck {
  orders: { database: number; exchange: number; duplicates: number; unknownToDatabase: number; inDoubt: number; openMismatch: number };
  fills: { database: number; exchange: number; missing: number; extra: number };
  positions: { base: number; exchangeBase: number; quote: number; exchangeQuote: number; ok: boolean };
  alerts: { rows: number; delivered: number; undelivered: number; messages: number; sentTwiceUnmarked: number; repeats: number; summarized: number };
  violations: string[];
}

const OPEN = new Set(['open', 'partially_filled']);

export async function checkCrashRun(d: {
  prisma: PrismaClient;
  idPrefix: string;
  exchange: ExchangeView;
  initial: Record<string, number>;
  base: string;
  quote: string;
  chatId: number;
  sent: SentMessage[];
}): Promise<CrashCheck> {
  const v: string[] = [];
  const mine = (cid: string | null): cid is string => cid !== null && cid.startsWith(`${d.idPrefix}-`);

  const dbOrders = await d.prisma.order.findMany({ select: { clientOrderId: true, status: true } });
  const known = new Set(dbOrders.map((o) => o.clientOrderId));
  const exOrders = d.exchange.orders.filter((o) => mine(o.clientOrderId));
  const counts = new Map<string, number>();
  for (const o of exOrders) counts.set(o.clientOrderId, (counts.get(o.clientOrderId) ?? 0) + 1);
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  const unknown = [...counts.keys()].filter((c) => !known.has(c)).length;
  const inDoubt = dbOrders.filter((o) => o.status === 'pending' || o.status === 'unknown').length;
  const dbOpen = new Set(dbOrders.filter((o) => OPEN.has(o.status)).map((o) => o.clientOrderId));
  const exOpen = new Set(exOrders.filter((o) => o.open).map((o) => o.clientOrderId));
  const openMismatch = [...dbOpen].filter((c) => !exOpen.has(c)).length + [...exOpen].filter((c) => !dbOpen.has(c)).length;
  if (duplicates > 0) v.push(`${duplicates} client order id(s) reached the exchange more than once`);
  if (unknown > 0) v.push(`${unknown} order(s) on the exchange are unknown to the database`);
  if (inDoubt > 0) v.push(`${inDoubt} order(s) still in doubt (pending/unknown) at the end`);
  if (openMismatch > 0) v.push(`${openMismatch} open order(s) differ between the database and the exchange`);

  const fills = await d.prisma.fill.findMany();
  const exTrades = d.exchange.trades.filter((t) => mine(t.clientOrderId));
  const exIds = new Set(exTrades.map((t) => t.id));
  const dbIds = new Set(fills.map((f) => f.tradeId));
  const missing = [...exIds].filter((id) => !dbIds.has(id)).length;
  const extra = d.exchange.truncated ? 0 : [...dbIds].filter((id) => !exIds.has(id)).length;
  if (dbIds.size !== fills.length) v.push(`${fills.length - dbIds.size} fill(s) stored twice`);
  if (missing > 0) v.push(`${missing} exchange trade(s) missing from the fills`);
  if (extra > 0) v.push(`${extra} fill(s) the exchange does not know`);

  let base = 0;
  let quote = 0;
  for (const f of fills) {
    const amount = Number(f.amount);
    const cost = Number(f.cost);
    const fee = Number(f.fee);
    if (f.side === 'buy') {
      base += amount;
      quote -= cost;
    } else {
      base -= amount;
      quote += cost;
    }
    if (f.feeCurrency === d.base) base -= fee;
    else if (f.feeCurrency === d.quote) quote -= fee;
  }
  const exBase = (d.exchange.balances[d.base] ?? 0) - (d.initial[d.base] ?? 0);
  const exQuote = (d.exchange.balances[d.quote] ?? 0) - (d.initial[d.quote] ?? 0);
  const positionsOk = Math.abs(exBase - base) < 1e-6 && Math.abs(exQuote - quote) < 1e-3;
  if (!positionsOk) v.push(`positions differ: database ${base} ${d.base} / ${quote} ${d.quote}, exchange ${exBase} / ${exQuote}`);

  const rows = await d.prisma.outbox.findMany({ where: { chatId: BigInt(d.chatId) }, orderBy: { id: 'asc' } });
  const messageIds = new Set(d.sent.map((m) => m.messageId));
  // What each message carried: alert texts (marked repeated or not), and how many it only counted.
  const shown = new Map<string, { plain: number; marked: number }>();
  let summarizedCount = 0;
  for (const m of d.sent) {
    const p = parseAlertMessage(m.html);
    summarizedCount += p.more;
    for (const it of p.items) {
      const c = shown.get(it.text) ?? { plain: 0, marked: 0 };
      if (it.repeated) c.marked++;
      else c.plain++;
      shown.set(it.text, c);
    }
  }
  // Rows with the same text (two fills at one grid line) are judged together.
  const rowsByText = new Map<string, number>();
  for (const r of rows) rowsByText.set(r.text, (rowsByText.get(r.text) ?? 0) + 1);
  let sentTwiceUnmarked = 0;
  let repeats = 0;
  let shownRows = 0;
  for (const [text, k] of rowsByText) {
    const c = shown.get(text) ?? { plain: 0, marked: 0 };
    repeats += c.marked;
    sentTwiceUnmarked += Math.max(0, c.plain - k);
    shownRows += Math.min(k, c.plain + c.marked);
  }
  const summarized = Math.min(summarizedCount, rows.length - shownRows);
  const undelivered = rows.filter((r) => r.deliveredAt === null).length;
  const lost = rows.filter((r) => r.deliveredAt !== null && (r.messageId === null || !messageIds.has(r.messageId))).length;
  if (undelivered > 0) v.push(`${undelivered} alert(s) never delivered`);
  if (lost > 0) v.push(`${lost} alert(s) marked delivered in a message Telegram never got`);
  if (sentTwiceUnmarked > 0) v.push(`${sentTwiceUnmarked} alert(s) sent twice without the repeated mark`);

  return {
    orders: { database: dbOrders.length, exchange: exOrders.length, duplicates, unknownToDatabase: unknown, inDoubt, openMismatch },
    fills: { database: fills.length, exchange: exTrades.length, missing, extra },
    positions: { base, exchangeBase: exBase, quote, exchangeQuote: exQuote, ok: positionsOk },
    alerts: { rows: rows.length, delivered: rows.length - undelivered, undelivered, messages: d.sent.length, sentTwiceUnmarked, repeats, summarized },
    violations: v,
  };
}

const DELAY = String.raw`<i>\(delayed [^)]*\)</i>`;
const MERGED_HEAD = new RegExp(String.raw`^<b>\d+ [^<]*alerts</b>(?: ${DELAY})?\n• `);
const SINGLE_NOTES = new RegExp(String.raw`\n((?:${escapeRe(REPEATED_NOTE)})?(?: ?${DELAY})?)$`);
const MORE = /\n<i>… and (\d+) more: [^<]*<\/i>(?=\n|$)/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The alerts one message carried (see src/alerts/compose.ts for the shapes). */
export function parseAlertMessage(html: string): { items: { text: string; repeated: boolean }[]; more: number } {
  if (MERGED_HEAD.test(html)) {
    let body = html.slice(html.indexOf('\n• ') + 3);
    if (body.endsWith(`\n${REPEATED_NOTE}`)) body = body.slice(0, -REPEATED_NOTE.length - 1);
    let more = 0;
    const m = MORE.exec(body);
    if (m) {
      more = Number(m[1]);
      body = body.slice(0, m.index);
    }
    const items = body.split('\n• ').map((t) => (t.endsWith(' <i>(repeated)</i>') ? { text: t.slice(0, -' <i>(repeated)</i>'.length), repeated: true } : { text: t, repeated: false }));
    return { items, more };
  }
  const n = SINGLE_NOTES.exec(html);
  if (n && n[1]) return { items: [{ text: html.slice(0, n.index), repeated: n[1].includes(REPEATED_NOTE) }], more: 0 };
  return { items: [{ text: html, repeated: false }], more: 0 };
}
