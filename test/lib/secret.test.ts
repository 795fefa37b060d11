import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Secret, scrubSecrets } from '../../src/lib/secret.js';
import { createLogger } from '../../src/lib/logger.js';
import { floorToStep, ceilToStep, decimalsOf, formatToStep, passivePrice } from '../../src/lib/precision.js';

describe('Secret', () => {
  it('never prints its value', () => {
    const s = new Secret('super-secret-value');
    for (const shown of [String(s), `${s}`, JSON.stringify({ s }), inspect(s), inspect({ nested: { s } })]) {
      expect(shown).not.toContain('super-secret-value');
      expect(shown).toContain('[redacted]');
    }
    expect(s.reveal()).toBe('super-secret-value');
  });

  it('scrubs known secrets and token-shaped strings from text', () => {
    const token = '123456789:AAHfakeTokenFAKEtoken_fake-1234567890';
    const out = scrubSecrets(`url https://api.telegram.org/bot${token}/getMe key=abcdef123`, [new Secret('abcdef123')]);
    expect(out).not.toContain(token);
    expect(out).not.toContain('abcdef123');
  });

  it('keeps secrets out of log lines, by field name and by value', async () => {
    const lines: string[] = [];
    const dest = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const key = new Secret('exchange-key-material');
    const log = createLogger({ level: 'info', secrets: [key], destination: { write: (s: string) => dest.write(s) } });
    log.info({ apiKey: 'field-secret', req: { headers: { 'x-mbx-apikey': 'hdr-secret' } } }, 'calling with exchange-key-material');
    log.error({ err: new Error('failed for exchange-key-material') }, 'boom');
    await new Promise((r) => setImmediate(r));
    const all = lines.join('');
    expect(all).toContain('calling with');
    for (const s of ['exchange-key-material', 'field-secret']) expect(all).not.toContain(s);
  });
});

describe('precision', () => {
  it('counts decimals of steps', () => {
    expect(decimalsOf(0.01)).toBe(2);
    expect(decimalsOf(1e-8)).toBe(8);
    expect(decimalsOf(0.00001)).toBe(5);
    expect(decimalsOf(1)).toBe(0);
    expect(decimalsOf(2.5e-7)).toBe(8);
  });
  it('rounds amounts down and passive prices away from the market, without float drift', () => {
    expect(floorToStep(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(floorToStep(1.23456789, 0.00001)).toBe(1.23456);
    expect(ceilToStep(100.001, 0.01)).toBe(100.01);
    expect(passivePrice(100.017, 0.01, 'buy')).toBe(100.01);
    expect(passivePrice(100.011, 0.01, 'sell')).toBe(100.02);
    expect(formatToStep(0.1 + 0.2, 0.01)).toBe('0.30');
  });
});
