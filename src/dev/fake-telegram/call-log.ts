import type { Params } from './params.js';

export interface ApiCall {
  /** 1, 2, 3... in arrival order. */
  seq: number;
  /** Clock time (ms) the call was answered. */
  at: number;
  method: string;
  params: Params;
  files: { field: string; filename: string; bytes: number }[];
  /** HTTP status answered; 0 when the connection was dropped. */
  status: number;
  ok: boolean;
  description?: string;
  /** An injected failure or flood control answered this call. */
  injected?: 'rate-limit' | 'server-error' | 'drop' | 'flood-control';
}

/** Every API call the server answered, for assertions; keeps the latest `capacity`. */
export class CallLog {
  private readonly calls: ApiCall[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  nextSeq(): number {
    return ++this.seq;
  }

  record(call: ApiCall): void {
    this.calls.push(call);
    if (this.calls.length > this.capacity) this.calls.shift();
  }

  all(): readonly ApiCall[] {
    return this.calls;
  }

  /** Calls to one method (case-insensitive). */
  of(method: string): ApiCall[] {
    const m = method.toLowerCase();
    return this.calls.filter((c) => c.method.toLowerCase() === m);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
