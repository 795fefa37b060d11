// The crash harness's reading of alert messages must match what the sender composes, or it would
// miss a doubled alert (or see one that is not there).
import { describe, expect, it } from 'vitest';
import { composeChat } from '../../src/alerts/compose.js';
import { parseAlertMessage } from '../../src/dev/crash-check.js';
import type { OutboxRow } from '../../src/store/outbox.js';

const row = (id: number, text: string, extra: Partial<OutboxRow> = {}): OutboxRow => ({
  id,
  chatId: 1,
  kind: 'fill',
  silent: false,
  text,
  botId: 1,
  dedupeKey: null,
  createdAt: new Date(0),
  attempts: 0,
  nextAttemptAt: new Date(0),
  lastError: null,
  sendingAt: null,
  deliveredAt: null,
  messageId: null,
  ...extra,
});

describe('parseAlertMessage', () => {
  it('reads single, repeated, delayed and merged messages back into their alerts', () => {
    const now = 10 * 60_000;
    const [single] = composeChat([row(1, '✅ <b>#1 grid</b>: Bought 0.001 BTC\nat 30000', { createdAt: new Date(now) })], now);
    expect(parseAlertMessage(single!.parts[0]!)).toEqual({ items: [{ text: '✅ <b>#1 grid</b>: Bought 0.001 BTC\nat 30000', repeated: false }], more: 0 });

    const [again] = composeChat([row(2, 'Sold 1', { sendingAt: new Date(0) })], now);
    expect(parseAlertMessage(again!.parts[0]!)).toEqual({ items: [{ text: 'Sold 1', repeated: true }], more: 0 });

    const rows = Array.from({ length: 23 }, (_, i) => row(10 + i, `Fill ${i}`, i === 1 ? { sendingAt: new Date(0) } : {}));
    const [merged] = composeChat(rows, now);
    const p = parseAlertMessage(merged!.parts[0]!);
    expect(p.more).toBe(3);
    expect(p.items).toHaveLength(20);
    expect(p.items[0]).toEqual({ text: 'Fill 0', repeated: false });
    expect(p.items[1]).toEqual({ text: 'Fill 1', repeated: true });
    expect(p.items[19]).toEqual({ text: 'Fill 19', repeated: false });
  });
});
