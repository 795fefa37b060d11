// Merge rules: which due alerts of a chat go out together, and what the merged message says.
import { describe, expect, it } from 'vitest';
import { composeChat, REPEATED_NOTE } from '../../src/alerts/compose.js';
import { permanentError } from '../../src/alerts/failures.js';
import type { OutboxRow } from '../../src/store/outbox.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let nextId = 1;
const row = (over: Partial<OutboxRow> = {}): OutboxRow => ({
  id: nextId++, chatId: 42, kind: 'fill', silent: false, text: 'alert', botId: null, dedupeKey: null,
  createdAt: new Date(T0), attempts: 0, nextAttemptAt: new Date(T0), lastError: null, sendingAt: null, deliveredAt: null, messageId: null,
  ...over,
});

describe('composeChat', () => {
  it('sends a single alert as it is', () => {
    const r = row({ text: '<b>Bought</b> 1 BTC', silent: true });
    expect(composeChat([r], T0)).toEqual([{ chatId: 42, rowIds: [r.id], parts: ['<b>Bought</b> 1 BTC'], silent: true, refusals: 0, freshRowIds: [r.id] }]);
  });

  it('merges a run into one message: header, items, "… and N more" by type, all rows covered', () => {
    const rows = [
      ...Array.from({ length: 25 }, (_, i) => row({ text: `fill ${i}` })),
      row({ kind: 'grid_cycle', text: 'cycle' }),
      row({ kind: 'take_profit', text: 'tp' }),
    ];
    const [m, ...rest] = composeChat(rows, T0);
    expect(rest).toEqual([]);
    expect(m!.rowIds).toEqual(rows.map((r) => r.id));
    const lines = m!.parts[0]!.split('\n');
    expect(lines[0]).toBe('<b>27 alerts</b>');
    expect(lines.slice(1, 21)).toEqual(Array.from({ length: 20 }, (_, i) => `• fill ${i}`));
    expect(lines[21]).toBe('<i>… and 7 more: 5 fill, 1 grid_cycle, 1 take_profit</i>');
    expect(lines).toHaveLength(22);
  });

  it('honours mergeMaxItems and stays within 4096 characters with long items', () => {
    const rows = Array.from({ length: 30 }, () => row({ text: 'x'.repeat(600) }));
    const [m] = composeChat(rows, T0, { mergeMaxItems: 50 });
    expect(m!.parts).toHaveLength(1);
    expect(m!.parts[0]!.length).toBeLessThanOrEqual(4096);
    const shown = m!.parts[0]!.split('\n').filter((l) => l.startsWith('• ')).length;
    expect(shown).toBe(6);
    expect(m!.parts[0]).toContain(`… and ${30 - shown} more: ${30 - shown} fill`);
    const [few] = composeChat(rows.slice(0, 5), T0, { mergeMaxItems: 3 });
    expect(few!.parts[0]).toMatch(/… and 2 more: 2 fill<\/i>$/);
  });

  it('a merged message is silent only if every alert in it is', () => {
    expect(composeChat([row({ silent: true }), row({ silent: true })], T0)[0]!.silent).toBe(true);
    expect(composeChat([row({ silent: true }), row({ silent: false })], T0)[0]!.silent).toBe(false);
  });

  it('long alerts go alone and split the runs around them, keeping order', () => {
    const a = row({ text: 'a' });
    const report = row({ kind: 'daily_summary', text: 'r'.repeat(601) });
    const b = row({ text: 'b' });
    const c = row({ text: 'c' });
    const out = composeChat([a, report, b, c], T0);
    expect(out.map((m) => m.rowIds)).toEqual([[a.id], [report.id], [b.id, c.id]]);
  });

  it('merge: false sends every alert alone', () => {
    const rows = [row(), row(), row()];
    expect(composeChat(rows, T0, { merge: false }).map((m) => m.rowIds)).toEqual(rows.map((r) => [r.id]));
  });

  it('an alert Telegram refused as a message goes alone; a chat-wide refusal stays merged', () => {
    const bad = row({ text: '<b>x', lastError: permanentError(1, 3, "400 Bad Request: can't parse entities") });
    const good = row();
    expect(composeChat([good, bad, row()], T0).map((m) => m.rowIds.length)).toEqual([1, 1, 1]);
    const blocked = permanentError(2, 3, '403 Forbidden: bot was blocked by the user');
    const msgs = composeChat([row({ lastError: blocked }), row({ lastError: blocked })], T0);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.refusals).toBe(2);
  });

  it('marks alerts whose earlier send was interrupted as repeated', () => {
    const [one] = composeChat([row({ text: 'once', sendingAt: new Date(T0) })], T0);
    expect(one!.parts[0]).toBe(`once\n${REPEATED_NOTE}`);
    const [merged] = composeChat([row({ text: 'a', sendingAt: new Date(T0) }), row({ text: 'b' })], T0);
    expect(merged!.parts[0]).toBe(`<b>2 fill alerts</b>\n• a <i>(repeated)</i>\n• b\n${REPEATED_NOTE}`);
  });

  it('says how late an alert is when an outage delayed it', () => {
    const [late] = composeChat([row({ text: 'late', createdAt: new Date(T0 - 12 * 60_000) })], T0);
    expect(late!.parts[0]).toBe('late\n<i>(delayed 12 min)</i>');
    const [merged] = composeChat([row({ createdAt: new Date(T0 - 3 * 3_600_000) }), row()], T0);
    expect(merged!.parts[0]!.split('\n')[0]).toBe('<b>2 fill alerts</b> <i>(delayed 3 h)</i>');
    const [onTime] = composeChat([row({ text: 'fresh', createdAt: new Date(T0 - 60_000) })], T0);
    expect(onTime!.parts[0]).toBe('fresh');
  });

  it('splits a single alert longer than 4096 characters into valid parts', () => {
    const text = `<b>Report</b>\n${Array.from({ length: 300 }, (_, i) => `<i>line ${i}</i> ${'-'.repeat(20)}`).join('\n')}`;
    const [m] = composeChat([row({ text })], T0);
    expect(m!.parts.length).toBeGreaterThan(1);
    expect(m!.parts.every((p) => p.length <= 4096)).toBe(true);
    expect(m!.parts.join('\n')).toBe(text);
  });
});
