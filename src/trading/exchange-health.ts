/**
 * Watches the exchange port: every call's success or retryable failure is recorded, and `check()`
 * says when the exchange has been unreachable for longer than the limit (once) and when it is back
 * (once), so the owner gets exactly one "down" and one "back" alert per outage.
 */
import { ExchangeError, type ExchangePort } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';

export interface HealthChange {
  kind: 'down' | 'back';
  since: number;
  /** The last failure's message (down) or the outage's length in ms (back). */
  detail: string;
  minutes: number;
}

export class ExchangeHealth {
  private firstFailure: number | null = null;
  private lastError = '';
  private alerted = false;

  constructor(
    private readonly clock: Clock,
    private readonly limitMs: number,
  ) {}

  ok(): void {
    this.lastOutcome = 'ok';
    if (this.firstFailure !== null && !this.alerted) this.firstFailure = null;
    if (!this.alerted) return;
    this.backAt = this.clock.now();
  }

  private backAt: number | null = null;
  private lastOutcome: 'ok' | 'failed' | null = null;

  /** Whether this process's latest call to the exchange got an answer (false before any call). */
  healthy(): boolean {
    return this.lastOutcome === 'ok';
  }

  failed(err: unknown): void {
    const retryable = err instanceof ExchangeError ? err.kind === 'retryable' || err.kind === 'unknown_outcome' : true;
    if (!retryable) return;
    this.lastOutcome = 'failed';
    this.firstFailure ??= this.clock.now();
    this.backAt = null;
    this.lastError = err instanceof Error ? err.message : String(err);
  }

  /** The change to alert about, if any. */
  check(): HealthChange | null {
    const now = this.clock.now();
    if (!this.alerted && this.firstFailure !== null && now - this.firstFailure >= this.limitMs) {
      this.alerted = true;
      return { kind: 'down', since: this.firstFailure, detail: this.lastError, minutes: Math.round((now - this.firstFailure) / 60_000) };
    }
    if (this.alerted && this.backAt !== null) {
      const since = this.firstFailure ?? this.backAt;
      const change: HealthChange = { kind: 'back', since, detail: '', minutes: Math.round((this.backAt - since) / 60_000) };
      this.alerted = false;
      this.firstFailure = null;
      this.backAt = null;
      return change;
    }
    return null;
  }
}

/** The same port, reporting every call's outcome to `health`. */
export function watchedExchange(port: ExchangePort, health: ExchangeHealth): ExchangePort {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => {
        const r = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(r instanceof Promise)) return r;
        return r.then(
          (v: unknown) => {
            health.ok();
            return v;
          },
          (err: unknown) => {
            health.failed(err);
            throw err;
          },
        );
      };
    },
  });
}
