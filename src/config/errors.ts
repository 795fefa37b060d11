import type { z } from 'zod';

/** A configuration problem, already phrased as one line for the operator. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  if (typeof v === 'object' && v !== null && 'toJSON' in v) return '[redacted]';
  return JSON.stringify(v) ?? String(v);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

const SECRET_KEY = /TOKEN|SECRET|KEY|PASSWORD/i;

/**
 * Turns the first zod issue into one sentence naming the key, the value's problem and the expected
 * form, e.g. `Invalid setting LOG_LEVEL="loud": must be one of fatal, error, ...`.
 * Values of secret-looking keys are never echoed.
 */
export function formatConfigIssue(error: z.ZodError, input: unknown, where: string): string {
  const issue = error.issues[0];
  if (!issue) return `Invalid ${where}.`;
  const key = issue.path.map(String).join('.') || '(root)';
  const raw = valueAt(input, issue.path);
  const shown = SECRET_KEY.test(key) && raw !== undefined ? '[redacted]' : describeValue(raw);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    const prefix = issue.path.length ? `${key}.` : '';
    return `Invalid ${where}: unknown key ${keys.map((k) => prefix + k).join(', ')}; remove it or check its spelling.`;
  }
  if (issue.code === 'invalid_type' && raw === undefined) message = 'is required';
  return `Invalid ${where} ${key}=${shown}: ${message}.`.replace(/\.\.$/, '.');
}
