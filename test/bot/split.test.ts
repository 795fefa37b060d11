import { describe, expect, it } from 'vitest';
import { splitHtml, TELEGRAM_TEXT_LIMIT } from '../../src/bot/split.js';

const strip = (s: string): string => s.replace(/<[^>]+>/g, '');

describe('splitHtml', () => {
  it('leaves a short reply alone', () => {
    expect(splitHtml('<b>hi</b>\nthere')).toEqual(['<b>hi</b>\nthere']);
  });

  it('splits on line boundaries and keeps every line', () => {
    const lines = Array.from({ length: 600 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    const parts = splitHtml(lines.join('\n'));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(parts.join('\n').split('\n')).toEqual(lines);
  });

  it('closes and reopens tags that span a split, so each part is valid markup', () => {
    const body = Array.from({ length: 400 }, (_, i) => `row ${i} ${'y'.repeat(15)}`).join('\n');
    const parts = splitHtml(`<b>Header</b>\n<pre>${body}</pre>\ntail`);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      const opens = (p.match(/<pre>/g) ?? []).length;
      const closes = (p.match(/<\/pre>/g) ?? []).length;
      expect(opens).toBe(closes);
      expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    }
    expect(parts[1]!.startsWith('<pre>')).toBe(true);
    expect(strip(parts.join('\n'))).toBe(strip(`<b>Header</b>\n<pre>${body}</pre>\ntail`));
  });

  it('cuts a single over-long line outside tags and entities, losing nothing', () => {
    const line = Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? '&amp;' : i % 11 === 0 ? '<i>w</i>' : 'word')).join(' ');
    const parts = splitHtml(line, 1000);
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(1000);
      expect(p).not.toMatch(/&[a-z]*$/); // no entity cut in half
      expect(p).not.toMatch(/<[^>]*$/); // no tag cut in half
    }
    expect(parts.join('').replace(/\s+/g, ' ')).toBe(line.replace(/\s+/g, ' '));
  });
});
