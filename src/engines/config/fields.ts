/**
 * Zod field builders whose error messages a trader understands, naming the key as typed on a
 * Telegram command line (`lines=500 is above the maximum of 200`). Numbers may come as strings
 * ("1.5", "1.5%"), booleans as yes/no/on/off/true/false/1/0, durations as 45s, 30m, 2h, 1d.
 */
import { z } from 'zod';

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

function toNumber(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim().replace(/%$/, '').replace(/_/g, '');
  if (t === '') return v;
  const n = Number(t);
  return Number.isFinite(n) ? n : v;
}

export interface NumOpts {
  min?: number;
  max?: number;
  /** Strictly above. */
  gt?: number;
  int?: boolean;
  unit?: string;
}

/** A number field. */
export function num(key: string, o: NumOpts = {}) {
  const unit = o.unit === undefined ? '' : o.unit === '%' ? '%' : ` ${o.unit}`;
  let s = z.number({
    error: (iss) => (iss.input === undefined ? `${key} is required` : `${key} must be a number, got ${show(iss.input)}`),
  });
  if (o.int) s = s.int({ error: (iss) => `${key}=${show(iss.input)} must be a whole number` });
  if (o.gt !== undefined) {
    const gt = o.gt;
    s = s.gt(gt, { error: (iss) => `${key}=${show(iss.input)} must be above ${gt}${unit}` });
  }
  if (o.min !== undefined) {
    const min = o.min;
    s = s.min(min, { error: (iss) => `${key}=${show(iss.input)} is below the minimum of ${min}${unit}` });
  }
  if (o.max !== undefined) {
    const max = o.max;
    s = s.max(max, { error: (iss) => `${key}=${show(iss.input)} is above the maximum of ${max}${unit}` });
  }
  return z.preprocess(toNumber, s);
}

/** A positive price or amount. */
export const positive = (key: string, unit?: string) => num(key, { gt: 0, unit });

/** A percentage, written 1.5 or "1.5%" (meaning 1.5 %). */
export const pct = (key: string, o: Omit<NumOpts, 'unit'> = {}) => num(key, { ...o, unit: '%' });

const TRUE = new Set(['true', 'yes', 'on', '1', 'y']);
const FALSE = new Set(['false', 'no', 'off', '0', 'n']);

export function bool(key: string) {
  return z.preprocess(
    (v) => {
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (TRUE.has(t)) return true;
        if (FALSE.has(t)) return false;
      }
      if (v === 1) return true;
      if (v === 0) return false;
      return v;
    },
    z.boolean({ error: (iss) => (iss.input === undefined ? `${key} is required` : `${key}=${show(iss.input)} must be yes or no`) }),
  );
}

export function oneOf<const T extends readonly [string, ...string[]]>(key: string, values: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase().replace(/-/g, '_') : v),
    z.enum(values, {
      error: (iss) => (iss.input === undefined ? `${key} is required (${values.join(' or ')})` : `${key}=${show(iss.input)} must be ${values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`}`),
    }),
  );
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses 45s / 30m / 2h / 1d / a number of seconds into milliseconds; NaN when invalid. */
export function parseDuration(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : NaN;
  if (typeof v !== 'string') return NaN;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(v);
  if (!m) return NaN;
  const unit = (m[2] ?? '').toLowerCase() || 's';
  return Number(m[1]) * (UNIT_MS[unit] ?? NaN);
}

/** A duration in milliseconds, written 45s, 30m, 2h, 1d or as seconds. */
export function duration(key: string, maxMs = 30 * 86_400_000) {
  return z
    .union([z.number(), z.string()], { error: (iss) => (iss.input === undefined ? `${key} is required` : `${key} must be a duration like 30m, 2h or 1d`) })
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: `${key}=${show(v)} is not a duration (use e.g. 45s, 30m, 2h, 1d)` });
        return z.NEVER;
      }
      if (ms > maxMs) {
        ctx.addIssue({ code: 'custom', message: `${key}=${show(v)} is above the maximum of ${maxMs / 86_400_000} days` });
        return z.NEVER;
      }
      return Math.round(ms);
    });
}

/** A strict object whose unknown-key error lists the known keys. */
export function settings<T extends z.core.$ZodLooseShape>(strategy: string, shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const keys = iss.keys.map((k) => `"${k}"`).join(', ');
        return `${iss.keys.length === 1 ? 'unknown setting' : 'unknown settings'} ${keys} for ${strategy} (known: ${known})`;
      }
      if (iss.code === 'invalid_type') return `the ${strategy} settings must be key=value pairs`;
      return undefined;
    },
  });
}
