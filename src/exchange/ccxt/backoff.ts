/** Jittered exponential back-off for retried reads. */

export interface BackoffPolicy {
  /** Attempts per read, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** A Retry-After longer than this is not waited for: the error goes to the caller instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: 5, baseMs: 250, maxMs: 8_000, maxRetryAfterMs: 30_000 };

/**
 * Delay before retry number `attempt` (1 = the first retry): "equal jitter" in
 * [exp/2, exp] with exp = min(maxMs, baseMs * 2^(attempt-1)); never shorter than a Retry-After hint.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  return Math.round(retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered);
}

/** Bounds `backoffDelay` promises (tests check observed delays against them). */
export function backoffBounds(attempt: number, policy: BackoffPolicy, retryAfterMs?: number): { min: number; max: number } {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  if (retryAfterMs !== undefined) return { min: Math.max(retryAfterMs, Math.floor(exp / 2)), max: Math.max(retryAfterMs, exp) + 1 };
  return { min: Math.floor(exp / 2), max: Math.ceil(exp) };
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
