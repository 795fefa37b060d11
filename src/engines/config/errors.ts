/** Turning configuration problems into one sentence a trader can act on. */
import type { z } from 'zod';

/** A configuration that is well-formed but cannot run on this market (fees, minimums, ...). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** One sentence from a ZodError: the first problem, naming the key. */
export function formatConfigError(err: z.ZodError): string {
  const first = err.issues[0];
  if (!first) return 'the settings are invalid';
  const key = first.path.map(String).join('.');
  let msg = first.message.trim();
  if (key !== '' && !msg.includes(key)) msg = `${key}: ${msg}`;
  msg = msg.replace(/\.$/, '');
  const extra = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more ${err.issues.length === 2 ? 'problem' : 'problems'})` : '';
  // Keys stay lowercase as typed (no capitalisation): `lines=500 is above the maximum of 200.`
  return `${msg}${extra}.`;
}

export type Parsed<T> = { ok: true; config: T } | { ok: false; error: string };

/** Parses with a schema and returns either the config or one sentence. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, config: r.data } : { ok: false, error: formatConfigError(r.error) };
}
