/**
 * The exchange side of the crash harness: the Binance emulator fed with real 1m candles at a fixed
 * pace (emulated live trading; it outlives every killed process, as a real exchange would), and the
 * views of what an exchange holds (the emulator's, or the paper book saved in the database).
 */
import { readCandleColumns } from '../exchange/market-data/csv.js';
import { paperSnapshotSchema } from '../exchange/paper/state.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { startBinanceEmulator, type BinanceEmulator } from './binance-emulator/index.js';
import type { ExchangeView } from './crash-check.js';

export const EMU_KEY = 'crash-emulator-key';
export const EMU_SECRET = 'crash-emulator-secret';

export interface SentOrder {
  clientOrderId: string;
  at: number;
}

export interface EmulatedMarket {
  emu: BinanceEmulator;
  /** Every order request that reached the matching engine, in arrival order. */
  sends: SentOrder[];
  candlesFed(): number;
  stopFeed(): void;
  close(): Promise<void>;
}

export async function startEmulatedMarket(o: { file: string; startIndex?: number; candleMs: number; balances: Record<string, number> }): Promise<EmulatedMarket> {
  const cols = await readCandleColumns(o.file);
  const emu = await startBinanceEmulator({ apiKey: EMU_KEY, apiSecret: EMU_SECRET, balances: o.balances });
  const sends: SentOrder[] = [];
  const place = emu.state.placeOrder.bind(emu.state);
  emu.state.placeOrder = (p) => {
    if (p.newClientOrderId) sends.push({ clientOrderId: p.newClientOrderId, at: Date.now() });
    return place(p);
  };
  let i = o.startIndex ?? 0;
  emu.state.setPrice('BTCUSDT', cols.close[i]!);
  const timer = setInterval(() => {
    if (i >= cols.length - 1) return;
    i++;
    emu.state.applyCandle('BTCUSDT', { time: cols.time[i]!, open: cols.open[i]!, high: cols.high[i]!, low: cols.low[i]!, close: cols.close[i]!, volume: cols.volume[i]! });
  }, o.candleMs);
  const start = i;
  return {
    emu,
    sends,
    candlesFed: () => i - start,
    stopFeed: () => clearInterval(timer),
    async close() {
      clearInterval(timer);
      await emu.close();
    },
  };
}

export function emulatorView(emu: BinanceEmulator): ExchangeView {
  const orders = emu.state.allOrders();
  const cidOf = new Map(orders.map((o) => [o.orderId, o.clientOrderId]));
  const balances: Record<string, number> = {};
  for (const b of emu.state.balanceList()) balances[b.asset] = Number(b.free) + Number(b.locked);
  return {
    orders: orders.map((o) => ({ clientOrderId: o.clientOrderId, open: o.status === 'NEW' || o.status === 'PARTIALLY_FILLED' })),
    trades: emu.state.trades.map((t) => ({ id: String(t.id), clientOrderId: cidOf.get(t.orderId) ?? null })),
    balances,
    truncated: false,
  };
}

/** The paper book as the worker last saved it (it keeps the latest closed orders and trades only). */
export async function paperView(prisma: PrismaClient, accountId = 'paper:binance'): Promise<ExchangeView> {
  const row = await prisma.paperAccount.findUnique({ where: { id: accountId } });
  if (!row) return { orders: [], trades: [], balances: {}, truncated: false };
  const s = paperSnapshotSchema.parse(row.state);
  const balances: Record<string, number> = {};
  for (const [asset, b] of Object.entries(s.balances)) balances[asset] = b.free + b.used;
  return {
    orders: s.orders.map((o) => ({ clientOrderId: o.clientOrderId, open: o.status === 'open' || o.status === 'partially_filled' })),
    trades: s.trades.map((t) => ({ id: t.id, clientOrderId: t.clientOrderId })),
    balances,
    truncated: s.nextTradeId - 1 > s.trades.length || s.orders.length >= 500,
  };
}
