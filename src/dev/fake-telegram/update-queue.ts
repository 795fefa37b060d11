import type { Update } from 'grammy/types';
import { conflict } from './api-error.js';

/** Update types delivered when allowed_updates is empty or was never set (Telegram's default). */
const NOT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const MAX_TIMEOUT_S = 50;

export type NewUpdate = Omit<Update, 'update_id'>;

export interface PollRequest {
  offset?: number;
  limit?: number;
  timeout?: number;
  allowedUpdates?: string[];
}

interface Waiter {
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const typeOf = (u: Update | NewUpdate): string => Object.keys(u).find((k) => k !== 'update_id') ?? '';

/**
 * Pending updates and getUpdates long polling: `offset` confirms (forgets) earlier updates,
 * `limit` caps a batch, `timeout` holds the request until an update arrives, `allowed_updates`
 * is remembered between calls. A second concurrent poll ends the first with 409 Conflict.
 */
export class UpdateQueue {
  private pending: Update[] = [];
  private nextId = 1;
  private allowed: Set<string> | null = null;
  private waiter: Waiter | null = null;

  private isAllowed(type: string): boolean {
    return this.allowed ? this.allowed.has(type) : !NOT_BY_DEFAULT.has(type);
  }

  push(update: NewUpdate): Update | null {
    if (!this.isAllowed(typeOf(update))) return null;
    const full = { update_id: this.nextId++, ...structuredClone(update) } as Update;
    this.pending.push(full);
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(this.pending.slice(0, w.limit));
    }
    return full;
  }

  /** Updates not yet confirmed. */
  get size(): number {
    return this.pending.length;
  }

  dropPending(): void {
    this.pending = [];
  }

  poll(req: PollRequest, signal?: AbortSignal): Promise<Update[]> {
    if (req.allowedUpdates) this.allowed = req.allowedUpdates.length ? new Set(req.allowedUpdates) : null;
    const offset = req.offset ?? 0;
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.pending = this.pending.slice(offset);
    this.pending = this.pending.filter((u) => this.isAllowed(typeOf(u)));
    const limit = Math.min(100, Math.max(1, req.limit ?? 100));
    const timeoutS = Math.min(MAX_TIMEOUT_S, Math.max(0, req.timeout ?? 0));

    const previous = this.waiter;
    if (previous) {
      this.waiter = null;
      clearTimeout(previous.timer);
      previous.reject(conflict('terminated by other getUpdates request; make sure that only one bot instance is running'));
    }
    if (this.pending.length > 0 || timeoutS === 0 || signal?.aborted) {
      return Promise.resolve(this.pending.slice(0, limit));
    }
    return new Promise((resolve, reject) => {
      const settle = (done: () => void): void => {
        if (this.waiter === waiter) this.waiter = null;
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        done();
      };
      const onAbort = (): void => settle(() => resolve([]));
      const waiter: Waiter = {
        limit,
        resolve: (u) => settle(() => resolve(u)),
        reject: (e) => settle(() => reject(e)),
        timer: setTimeout(onAbort, timeoutS * 1000),
      };
      this.waiter = waiter;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends a held poll with no updates (server shutdown). */
  close(): void {
    this.waiter?.resolve([]);
  }
}
