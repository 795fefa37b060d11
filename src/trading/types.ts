import type { DbClient } from '../store/client.js';

/** One alert for the owners, written in the caller's transaction (the outbox guarantees delivery). */
export interface AlertInput {
  kind: string;
  /** Telegram HTML, escaped. */
  text: string;
  botId?: number;
  /** Same key, same alert: enqueued once. */
  dedupeKey?: string;
}

export interface AlertSink {
  enqueue(tx: DbClient, alert: AlertInput): Promise<void>;
  /** Asks the sender to drain now (after the transaction committed). */
  wake(): void;
}

/** What one tick did, for metrics and tests. */
export interface TickReport {
  botId: number;
  fills: number;
  placed: number;
  cancelled: number;
  rejected: number;
  settled: number;
  durationMs: number;
}

export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}
