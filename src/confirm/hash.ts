// The hash that binds a confirmation to its exact action: sha256 over (action, canonical JSON of the
// payload, user id, chat id). Canonical JSON sorts object keys, so JSONB's key order does not matter.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { JsonValue } from '../store/confirmations.js';

/** The value as plain JSON (what the database stores and gives back); throws on values JSON cannot hold. */
export function toPlainJson(value: unknown): JsonValue {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') throw new TypeError('A confirmation payload cannot hold a bigint; use a string.');
    if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError('A confirmation payload cannot hold NaN or Infinity.');
    return v;
  });
  if (text === undefined) throw new TypeError('A confirmation payload must be JSON (null, not undefined).');
  return JSON.parse(text) as JsonValue;
}

export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, JsonValue>)[k] ?? null)}`).join(',')}}`;
}

export function actionHash(action: string, payload: JsonValue, userId: number, chatId: number): string {
  const input = JSON.stringify([action, canonicalJson(payload), String(userId), String(chatId)]);
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
