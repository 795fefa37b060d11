import type { Clock } from '../../lib/clock.js';

/** What an injected failure does to one API call. */
export type Fault =
  | { kind: 'rate-limit'; retryAfter: number }
  | { kind: 'server-error'; status: number }
  | { kind: 'drop'; afterHandling: boolean };

export interface FaultTarget {
  /** A Bot API method name (case-insensitive); any method when absent. */
  method?: string;
  /** How many calls to fail (default 1). */
  times?: number;
}

interface Rule {
  method: string | null;
  remaining: number;
  fault: Fault;
}

export type OutageKind = 'server-error' | 'drop' | 'rate-limit';

/**
 * Failure injection for tests: the next N calls of a method (or of any method) answer 429 or 5xx or
 * lose their connection; an outage fails every call until the clock passes its end.
 */
export class FaultInjector {
  private rules: Rule[] = [];
  private outage: { until: number; kind: OutageKind; status: number } | null = null;

  constructor(private readonly clock: Clock) {}

  private add(target: FaultTarget, fault: Fault): void {
    this.rules.push({ method: target.method?.toLowerCase() ?? null, remaining: target.times ?? 1, fault });
  }

  /** 429 "Too Many Requests: retry after X" with parameters.retry_after = X seconds (default 1). */
  rateLimit(target: FaultTarget & { retryAfter?: number } = {}): void {
    this.add(target, { kind: 'rate-limit', retryAfter: target.retryAfter ?? 1 });
  }

  /** A 5xx answer in Telegram's body shape (default 502 Bad Gateway). */
  serverError(target: FaultTarget & { status?: number } = {}): void {
    this.add(target, { kind: 'server-error', status: target.status ?? 502 });
  }

  /**
   * Destroys the connection without an answer. With `afterHandling` the call takes effect first
   * (the message is sent, the answer is lost), which is how duplicate sends happen.
   */
  drop(target: FaultTarget & { afterHandling?: boolean } = {}): void {
    this.add(target, { kind: 'drop', afterHandling: target.afterHandling ?? false });
  }

  /** Every call fails for `durationMs` of clock time. */
  startOutage(durationMs: number, kind: OutageKind = 'server-error', status = 502): void {
    this.outage = { until: this.clock.now() + durationMs, kind, status };
  }

  endOutage(): void {
    this.outage = null;
  }

  clear(): void {
    this.rules = [];
    this.outage = null;
  }

  /** The fault for this call, if any (consumes one use of a matching rule). */
  take(method: string): Fault | null {
    const now = this.clock.now();
    if (this.outage && now >= this.outage.until) this.outage = null;
    if (this.outage) {
      const { kind, status, until } = this.outage;
      if (kind === 'rate-limit') return { kind, retryAfter: Math.max(1, Math.ceil((until - now) / 1000)) };
      return kind === 'drop' ? { kind, afterHandling: false } : { kind, status };
    }
    const name = method.toLowerCase();
    const rule = this.rules.find((r) => r.method === null || r.method === name);
    if (!rule) return null;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.fault;
  }
}
