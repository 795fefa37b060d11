import { describe, expect, it } from 'vitest';
import type { BotPosition } from '../../src/app/reports.js';
import { splitHtml } from '../../src/bot/split.js';
import { positionsHtml } from '../../src/commands/positions-view.js';
import type { BotRecord } from '../../src/store/bots.js';
import { positionFrom, unrealised } from '../../src/trading/ledger.js';

const bot = (id: number, symbol: string): BotRecord => ({
  id, strategy: 'grid', symbol, mode: 'paper', config: {}, preset: null, status: 'running', riskState: 'active', haltReason: null,
  createdBy: 1, createdAt: new Date(0), updatedAt: new Date(0), stoppedAt: null, engineState: null, stateRev: 0, lastTradeAt: null, fence: 1,
});

function row(id: number, symbol: string, fills: Parameters<typeof positionFrom>[0], mark: number | null): BotPosition {
  const [base = '', quote = ''] = symbol.split('/');
  const position = positionFrom(fills, base, quote);
  return { bot: bot(id, symbol), position, mark, unrealised: mark === null ? null : unrealised(position, mark) };
}

describe('/positions view', () => {
  it('shows amount, average entry, mark and unrealised profit per bot and per asset, from the fills', () => {
    const rows = [
      // 0.1 BTC at 100, fee 0.001 BTC: 0.099 held for 10 USDT, average 101.0101...
      row(1, 'BTC/USDT', [{ side: 'buy', price: 100, amount: 0.1, fee: 0.001, feeCurrency: 'BTC', at: 1 }], 110),
      row(2, 'BTC/USDT', [{ side: 'buy', price: 120, amount: 0.1, fee: 0.012, feeCurrency: 'USDT', at: 1 }], 110),
      row(3, 'ETH/USDT', [], null),
    ];
    const text = positionsHtml(rows).value;
    expect(text).toContain('#1 BTC/USDT 0.09900000 BTC · 101.01 → 110.00 · +0.89 USDT');
    expect(text).toContain('#2 BTC/USDT 0.10000000 BTC · 120.12 → 110.00 · -1.01 USDT');
    expect(text).toContain('#3 ETH/USDT holds no ETH');
    // Per asset: 0.199 BTC for 10 + 12.012 USDT.
    expect(text).toContain('BTC: 0.19900000 · avg 110.61 · mark 110.00 · unrealised -0.12 USDT');
    expect(text).toContain('ETH: 0.00000000 · avg n/a · mark n/a · unrealised +0.00 ');
  });

  it('fits fifty bots in one Telegram message, and renders the same positions once', () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      row(1000 + i, i % 2 ? 'BTC/USDT' : 'ETH/USDT', [{ side: 'buy', price: 61_234.56 + i, amount: 0.12345678, fee: 0.01, feeCurrency: 'USDT', at: 1 }], 59_876.54),
    );
    const view = positionsHtml(rows);
    expect(splitHtml(view.value)).toHaveLength(1);
    expect(view.value.split('\n').filter((l) => /^#\d+ /.test(l))).toHaveLength(50);
    expect(positionsHtml(rows)).toBe(view);
    expect(positionsHtml([...rows])).not.toBe(view);
  });

  it('says so when no bot runs', () => {
    expect(positionsHtml([]).value).toBe('No positions: no bot is running.');
  });
});
