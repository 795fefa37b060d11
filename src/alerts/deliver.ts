// Sends one composed message whose rows were just marked sendingAt, and records the outcome on them:
// deliveredAt + messageId, or the failure and when to try again.
import type { Clock } from '../lib/clock.js';
import { PARKED_AT, type OutboxRepository } from '../store/outbox.js';
import type { OutgoingMessage } from './compose.js';
import { backoffMs, classifySendError, isChatLevelRefusal, permanentError, type SendFailure } from './failures.js';

/** Sends HTML to a chat (grammY: `bot.api.sendMessage(chatId, html, { parse_mode: 'HTML', ... })`). */
export type SendFn = (chatId: number, html: string, options: { silent: boolean }) => Promise<{ messageId: number }>;

/** pino-compatible. */
export interface AlertLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export const silentAlertLogger: AlertLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface RetryPolicy {
  /** First back-off after a 5xx or network failure; doubles on each failure in a row. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A 400/403 is tried this many times in all, then the row is parked. */
  permanentTries: number;
  /** Wait before repeating a refused request (doubles). */
  permanentRetryMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  permanentTries: 3,
  permanentRetryMs: 10_000,
};

export type Outcome =
  | { kind: 'delivered'; messageId: number }
  /** `again`: nothing of it reached the chat, so it may be sent again as it is once `until` has passed. */
  | { kind: 'rate-limited'; until: number; again: boolean }
  /** The server or the network is failing: stop sending to everyone until `until`. */
  | { kind: 'outage'; until: number }
  | { kind: 'refused'; parked: boolean };

/** Shared by all sends: 5xx / network failures in a row, and no sends to anyone before `until`. */
export interface OutageState {
  failures: number;
  until: number;
}

export interface DeliverDeps {
  outbox: OutboxRepository;
  send: SendFn;
  clock: Clock;
  logger: AlertLogger;
  policy: RetryPolicy;
  /** Waits until the pacer allows one more message to this chat (for the 2nd, 3rd ... part of a long alert). */
  waitForSlot(chatId: number): Promise<void>;
  outage: OutageState;
}

/** Call right after taking a pacing token for the first part: the request leaves at once. */
export async function deliver(d: DeliverDeps, msg: OutgoingMessage): Promise<Outcome> {
  let messageId: number | null = null;
  let sentParts = 0;
  try {
    for (const [i, part] of msg.parts.entries()) {
      if (i > 0) await d.waitForSlot(msg.chatId);
      const r = await d.send(msg.chatId, part, { silent: msg.silent });
      messageId ??= r.messageId;
      sentParts += 1;
    }
  } catch (e) {
    return recordFailure(d, msg, classifySendError(e), sentParts > 0);
  }
  await d.outbox.markDelivered(msg.rowIds, messageId!, new Date(d.clock.now()));
  d.outage.failures = 0;
  return { kind: 'delivered', messageId: messageId! };
}

async function recordFailure(
  d: DeliverDeps,
  msg: OutgoingMessage,
  failure: SendFailure,
  partlySent: boolean,
): Promise<Outcome> {
  const now = d.clock.now();
  const ids = msg.rowIds;
  const log = { chatId: msg.chatId, rows: ids.length, error: failure.description };
  if (failure.kind === 'rate-limit') {
    const until = now + failure.retryAfterMs;
    await markFailed(d, msg, { error: failure.description, nextAttemptAt: new Date(until) }, partlySent);
    d.logger.info({ ...log, retryAfterMs: failure.retryAfterMs }, 'Alert rate-limited by Telegram; retrying after retry_after');
    return { kind: 'rate-limited', until, again: !partlySent };
  }
  if (failure.kind === 'transient') {
    // Sends that were in flight together fail together: only the first starts (or lengthens) the pause.
    if (now >= d.outage.until) {
      d.outage.failures += 1;
      d.outage.until = now + backoffMs(d.outage.failures, d.policy.backoffBaseMs, d.policy.backoffMaxMs);
    }
    const until = d.outage.until;
    // A connection lost mid-request may have delivered it: keep sendingAt so the resend says so.
    const keepSending = partlySent || failure.mayHaveArrived;
    await markFailed(d, msg, { error: failure.description, nextAttemptAt: new Date(until) }, keepSending);
    d.logger.warn({ ...log, retryInMs: until - now, failuresInARow: d.outage.failures }, 'Alert send failed; backing off');
    return { kind: 'outage', until };
  }
  const max = d.policy.permanentTries;
  if (ids.length > 1 && !isChatLevelRefusal(failure.description)) {
    // Probably one bad alert in a merged message: send each alone next time (compose keeps them apart).
    await markFailed(d, msg, { error: permanentError(1, max, failure.description), nextAttemptAt: new Date(now) }, partlySent);
    d.logger.warn(log, 'Telegram refused a merged alert; its alerts will be sent one by one');
    return { kind: 'refused', parked: false };
  }
  const n = msg.refusals + 1;
  const error = permanentError(Math.min(n, max), max, failure.description);
  if (n >= max) {
    await markFailed(d, msg, { error, nextAttemptAt: PARKED_AT }, partlySent);
    d.logger.error({ ...log, rowIds: ids }, 'Telegram keeps refusing an alert; parked it (kept in the outbox, not retried)');
    return { kind: 'refused', parked: true };
  }
  const retryAt = now + backoffMs(n, d.policy.permanentRetryMs, Number.MAX_SAFE_INTEGER);
  await markFailed(d, msg, { error, nextAttemptAt: new Date(retryAt) }, partlySent);
  d.logger.warn({ ...log, attempt: n, of: max }, 'Telegram refused an alert; trying again later');
  return { kind: 'refused', parked: false };
}

/**
 * Records a failed attempt. Rows interrupted by an earlier attempt keep their sendingAt whatever
 * happens now (the earlier attempt may have arrived: their next send says "repeated"); fresh rows keep
 * it only when this attempt may have arrived (`keepSending`).
 */
async function markFailed(d: DeliverDeps, msg: OutgoingMessage, failure: { error: string; nextAttemptAt: Date }, keepSending: boolean): Promise<void> {
  if (keepSending) {
    await d.outbox.markFailed(msg.rowIds, { ...failure, keepSending: true });
    return;
  }
  const fresh = new Set(msg.freshRowIds);
  const earlier = msg.rowIds.filter((id) => !fresh.has(id));
  if (msg.freshRowIds.length > 0) await d.outbox.markFailed(msg.freshRowIds, { ...failure, keepSending: false });
  if (earlier.length > 0) await d.outbox.markFailed(earlier, { ...failure, keepSending: true });
}
