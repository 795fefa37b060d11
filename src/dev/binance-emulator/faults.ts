/**
 * Failure injection for the emulator, per endpoint and method, by count. A fault either replaces
 * the request's handling (`processed: false`: the exchange never saw it) or follows it
 * (`processed: true`: the exchange acted, then the answer went wrong - e.g. "order accepted but
 * the response lost").
 */
export type FaultKind =
  /** An HTTP error status, with a Binance error body when `code` is set and Retry-After when given. */
  | { kind: 'http'; status: number; code?: number; msg?: string; retryAfterSec?: number }
  /** The socket is destroyed without an answer. */
  | { kind: 'reset' }
  /** No answer ever (the client times out); the socket is closed when the emulator stops. */
  | { kind: 'hang' }
  /** HTTP 200 with an HTML body. */
  | { kind: 'non_json' }
  /** The request is handled (and answered) after `ms`. */
  | { kind: 'delay'; ms: number };

export type FaultRule = FaultKind & {
  /** Only this method (GET, POST, DELETE); any when omitted. */
  method?: string;
  /** Only this path (e.g. /api/v3/order); any when omitted. */
  path?: string;
  /** Whether the request takes effect before the fault. Default false. */
  processed?: boolean;
  /** How many matching requests get the fault. Default 1. */
  times?: number;
  /** Let this many matching requests through first. Default 0. */
  skip?: number;
};

/** Random injection: each request that no counted rule caught gets a fault with probability `rate`. */
export interface RandomFaults {
  rate: number;
  /** Faults to draw from (uniformly among those whose method/path fit the request). */
  menu: FaultRule[];
  /** [0, 1) source; seed it for reproducible runs. */
  random: () => number;
  /** Stop after this many random faults. Default unlimited. */
  max?: number;
}

export interface InjectedFault {
  rule: FaultRule;
  method: string;
  path: string;
  at: number;
}

export class FaultInjector {
  private rules: (FaultRule & { left: number; skipLeft: number })[] = [];
  private randomFaults: RandomFaults | null = null;
  private randomCount = 0;
  readonly injected: InjectedFault[] = [];

  /** Turns random injection on (or off with null). */
  setRandom(r: RandomFaults | null): void {
    this.randomFaults = r;
    this.randomCount = 0;
  }

  add(...rules: FaultRule[]): void {
    for (const r of rules) this.rules.push({ ...r, left: r.times ?? 1, skipLeft: r.skip ?? 0 });
  }

  clear(): void {
    this.rules = [];
    this.randomFaults = null;
  }

  /** Rules that still have faults to inject. */
  pending(): number {
    return this.rules.reduce((n, r) => n + r.left, 0);
  }

  /** The fault for this request, if a rule matches (and consumes one of its count). */
  take(method: string, path: string, now: number): FaultRule | null {
    for (const r of this.rules) {
      if (r.left <= 0) continue;
      if (r.method !== undefined && r.method !== method) continue;
      if (r.path !== undefined && r.path !== path) continue;
      if (r.skipLeft > 0) {
        r.skipLeft--;
        continue;
      }
      r.left--;
      this.injected.push({ rule: r, method, path, at: now });
      this.rules = this.rules.filter((x) => x.left > 0);
      return r;
    }
    const rf = this.randomFaults;
    if (rf && (rf.max === undefined || this.randomCount < rf.max) && rf.random() < rf.rate) {
      const fits = rf.menu.filter((m) => (m.method === undefined || m.method === method) && (m.path === undefined || m.path === path));
      const pick = fits[Math.floor(rf.random() * fits.length)];
      if (pick) {
        this.randomCount++;
        this.injected.push({ rule: pick, method, path, at: now });
        return pick;
      }
    }
    return null;
  }

  /** Injected counts by a label like "http429", "reset+processed". */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of this.injected) {
      const label = (f.rule.kind === 'http' ? `http${f.rule.status}` : f.rule.kind) + (f.rule.processed ? '+processed' : '');
      out[label] = (out[label] ?? 0) + 1;
    }
    return out;
  }
}
