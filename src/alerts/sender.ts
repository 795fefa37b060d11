// Drains the alert outbox to Telegram within its limits. Alerts are delayed by outages, never lost
// (no maximum attempts), and a delivered row is never sent again.
//
//   const sender = new AlertSender({ outbox: new OutboxRepository(db.prisma), send: telegramSend(bot.api), clock, logger });
//   sender.start();            // loop: drain, sleep until the next row is due or wake() is called
//   ... after a transaction that enqueued alerts commits: sender.wake();
//   await sender.stop();       // waits for an in-flight send
import type { Clock } from '../lib/clock.js';
import type { OutboxRepository } from '../store/outbox.js';
import { byChat, composeChat, type ComposeOptions, type OutgoingMessage } from './compose.js';
import { backoffMs } from './failures.js';
import {
  deliver,
  DEFAULT_RETRY_POLICY,
  silentAlertLogger,
  type AlertLogger,
  type OutageState,
  type Outcome,
  type RetryPolicy,
  type SendFn,
} from './deliver.js';
import { Pacer, type PaceLimits } from './pacer.js';
import { realSleep, type Sleep } from './sleep.js';

export type { AlertLogger, SendFn, RetryPolicy, Sleep };
export { realSleep };

/** The loop never spins faster than this when something is due but cannot go yet. */
const MIN_LOOP_MS = 10;

export interface AlertSenderOptions {
  /** Rows read per drain (default 500). */
  batchSize: number;
  /** Sends in flight at once, to different chats (default 8). A chat gets one at a time, in order. */
  maxInFlight: number;
  /** Longest sleep of the loop when nothing is due, to see rows queued by other processes (default 5 s). */
  idlePollMs: number;
  limits: Partial<PaceLimits>;
  compose: Partial<ComposeOptions>;
  retry: Partial<RetryPolicy>;
}

export interface AlertSenderDeps {
  outbox: OutboxRepository;
  send: SendFn;
  clock: Clock;
  /** Default: real timers. Tests on a ManualClock pass one that advances the clock. */
  sleep?: Sleep;
  logger?: AlertLogger;
  options?: Partial<AlertSenderOptions>;
}

export interface DrainResult {
  /** Telegram messages sent. */
  messages: number;
  /** Outbox rows marked delivered (more than messages when bursts were merged). */
  delivered: number;
  /** Messages that failed and will be retried. */
  retrying: number;
  /** Messages parked after Telegram refused them again and again. */
  parked: number;
  /** Chats left for a later drain because they must wait for their pace (their rows stay due). */
  deferredChats: number;
}

export interface SenderStats extends Omit<DrainResult, 'deferredChats'> {
  drains: number;
  rateLimited: number;
}

const emptyResult = (): DrainResult => ({ messages: 0, delivered: 0, retrying: 0, parked: 0, deferredChats: 0 });

export class AlertSender {
  private readonly o: AlertSenderOptions;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly logger: AlertLogger;
  private readonly pacer: Pacer;
  /** After a 5xx or network failure: no sends to anyone before `until`. */
  private readonly outage: OutageState = { failures: 0, until: 0 };
  private chain: Promise<unknown> = Promise.resolve();
  private loopDone: Promise<void> | null = null;
  private stopController = new AbortController();
  private idleController: AbortController | null = null;
  private wakeRequested = false;
  private stopping = false;
  readonly stats: SenderStats = { messages: 0, delivered: 0, retrying: 0, parked: 0, drains: 0, rateLimited: 0 };

  constructor(private readonly deps: AlertSenderDeps) {
    const o = deps.options ?? {};
    this.o = { batchSize: 500, maxInFlight: 8, idlePollMs: 5_000, limits: {}, compose: {}, retry: {}, ...o };
    this.policy = { ...DEFAULT_RETRY_POLICY, ...this.o.retry };
    this.sleep = deps.sleep ?? realSleep;
    this.logger = deps.logger ?? silentAlertLogger;
    this.pacer = new Pacer(deps.clock.now(), this.o.limits);
  }

  get running(): boolean {
    return this.loopDone !== null;
  }

  /** Starts the loop (no-op when running). */
  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.stopController = new AbortController();
    this.loopDone = this.loop();
  }

  /** Stops the loop; resolves once an in-flight send has finished and been recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    await this.loopDone;
    this.loopDone = null;
    await this.chain.catch(() => undefined);
  }

  /** Drain now (after enqueueing alerts and committing). */
  wake(): void {
    this.wakeRequested = true;
    this.idleController?.abort();
  }

  /**
   * Sends what is due now and what the pacing allows (it may sleep briefly for the global pace; a chat
   * that must wait for its own pace is left for a later drain, which merges what arrived meanwhile).
   * Drains never overlap: a call made during a drain runs after it.
   */
  drainOnce(): Promise<DrainResult> {
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** When there is next something to send, pacing and back-off included (null: the outbox is empty). */
  async nextWakeAt(): Promise<number | null> {
    const heads = await this.deps.outbox.heads();
    if (heads.length === 0) return null;
    const now = this.deps.clock.now();
    const ready = heads.map((h) => Math.max(h.nextAttemptAt.getTime(), now + this.pacer.chatWaitMs(h.chatId, now)));
    return Math.max(Math.min(...ready), this.outage.until);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.wakeRequested = false;
      try {
        await this.drainOnce();
      } catch (e) {
        // The database failed us: the rows are safe where they are; try again after a pause.
        this.outage.failures += 1;
        this.outage.until = this.deps.clock.now() + backoffMs(this.outage.failures, this.policy.backoffBaseMs, this.policy.backoffMaxMs);
        this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'Alert drain failed; retrying later');
      }
      if (this.stopping || this.wakeRequested) continue;
      const next = await this.nextWakeAt().catch(() => null);
      const now = this.deps.clock.now();
      const delay = next === null ? this.o.idlePollMs : Math.min(this.o.idlePollMs, Math.max(MIN_LOOP_MS, next - now));
      await this.idle(delay);
    }
  }

  private async idle(ms: number): Promise<void> {
    const wake = new AbortController();
    this.idleController = wake;
    try {
      if (!this.wakeRequested) await this.sleep(ms, AbortSignal.any([wake.signal, this.stopController.signal]));
    } finally {
      this.idleController = null;
    }
  }

  private halted(): boolean {
    return this.stopping || this.deps.clock.now() < this.outage.until;
  }

  private async drain(): Promise<DrainResult> {
    const result = emptyResult();
    this.stats.drains += 1;
    if (this.halted()) return result;
    const now = this.deps.clock.now();
    const rows = await this.deps.outbox.due(new Date(now), this.o.batchSize);
    if (rows.length === 0) return result;
    const queues = new Map<number, OutgoingMessage[]>();
    for (const [chatId, chatRows] of byChat(rows)) queues.set(chatId, composeChat(chatRows, now, this.o.compose));
    try {
      await this.schedule(queues, result);
    } finally {
      for (const k of ['messages', 'delivered', 'retrying', 'parked'] as const) this.stats[k] += result[k];
    }
    return result;
  }

  /**
   * Sends the queued messages: each chat's in order and one at a time, several chats at once (round
   * robin), each when both paces allow. A chat that failed, or must wait for its own pace, is left for
   * a later drain; a failure of the server or the network stops the whole drain.
   */
  private async schedule(queues: Map<number, OutgoingMessage[]>, result: DrainResult): Promise<void> {
    const inFlight = new Map<number, Promise<void>>();
    try {
      while (!this.halted()) {
        const chatId = this.nextReadyChat(queues, inFlight, this.deps.clock.now());
        if (chatId === null || inFlight.size >= this.o.maxInFlight) {
          if (inFlight.size === 0) break;
          await Promise.race(inFlight.values());
          continue;
        }
        const queue = queues.get(chatId)!;
        const msg = queue.shift()!;
        // Round robin: this chat goes to the back.
        queues.delete(chatId);
        if (queue.length > 0) queues.set(chatId, queue);
        // sendingAt is written before the send (while waiting for the pace), and the pacing token is
        // taken right before the request leaves, so the server sees the spacing the pacer meant.
        const claimed = await this.deps.outbox.markSending(msg.rowIds, new Date(this.deps.clock.now()));
        if (claimed === 0) continue; // delivered meanwhile by another sender
        if (!(await this.waitForPace(chatId, inFlight))) {
          await this.deps.outbox.releaseSending(msg.freshRowIds);
          break;
        }
        this.pacer.take(chatId, this.deps.clock.now());
        const sending = this.sendOne(msg, result).then((next) => {
          if (next === 'stop') queues.delete(chatId);
          else if (next === 'again') {
            // Telegram asked this chat to wait: the message goes first again when the chat may be sent to,
            // and the chat's later messages wait behind it (a chat's alerts stay in order).
            queues.delete(chatId);
            queues.set(chatId, [msg, ...queue]);
          }
        });
        inFlight.set(chatId, sending.finally(() => inFlight.delete(chatId)));
      }
    } finally {
      await Promise.all(inFlight.values());
      result.deferredChats = [...queues.values()].filter((q) => q.length > 0).length;
    }
  }

  /** Waits until a message to this chat fits the pace; false if the drain must stop meanwhile. */
  private async waitForPace(chatId: number, inFlight: Map<number, Promise<void>>): Promise<boolean> {
    for (;;) {
      if (this.halted()) return false;
      const wait = this.pacer.waitMs(chatId, this.deps.clock.now());
      if (wait === 0) return true;
      await this.sleepOrSettle(wait, inFlight.values());
    }
  }

  /** The first chat (round-robin order) with a message, none in flight, and its own pace allowing it now. */
  private nextReadyChat(queues: Map<number, OutgoingMessage[]>, inFlight: Map<number, unknown>, now: number): number | null {
    for (const [chatId, queue] of queues) {
      if (queue.length > 0 && !inFlight.has(chatId) && this.pacer.chatWaitMs(chatId, now) === 0) return chatId;
    }
    return null;
  }

  /**
   * Sends one message. Then: 'next' (go on with the chat), 'again' (rate-limited: send this message
   * again once the chat's pause is over), or 'stop' (nothing more to this chat in this drain). Never rejects.
   */
  private async sendOne(msg: OutgoingMessage, result: DrainResult): Promise<'next' | 'again' | 'stop'> {
    let outcome: Outcome;
    try {
      outcome = await deliver(
        {
          outbox: this.deps.outbox,
          send: this.deps.send,
          clock: this.deps.clock,
          logger: this.logger,
          policy: this.policy,
          outage: this.outage,
          waitForSlot: (chatId) => this.waitForSlot(chatId),
        },
        msg,
      );
    } catch (e) {
      // Recording the outcome failed (database): the rows stay undelivered with sendingAt set, and are
      // resent later marked as repeated.
      this.logger.error({ chatId: msg.chatId, err: e instanceof Error ? e.message : String(e) }, 'Could not record an alert send');
      this.outage.until = Math.max(this.outage.until, this.deps.clock.now() + this.policy.backoffBaseMs);
      return 'stop';
    }
    switch (outcome.kind) {
      case 'delivered':
        result.messages += 1;
        result.delivered += msg.rowIds.length;
        return 'next';
      case 'rate-limited':
        this.stats.rateLimited += 1;
        this.pacer.pauseChat(msg.chatId, outcome.until, this.deps.clock.now());
        result.retrying += 1;
        return outcome.again ? 'again' : 'stop';
      case 'outage':
        result.retrying += 1;
        return 'stop';
      case 'refused':
        if (outcome.parked) result.parked += 1;
        else result.retrying += 1;
        return 'stop';
    }
  }

  /** For the 2nd, 3rd ... part of a long alert: not cut short by stop(), which waits for the whole message. */
  private async waitForSlot(chatId: number): Promise<void> {
    const never = new AbortController().signal;
    for (;;) {
      const now = this.deps.clock.now();
      const wait = this.pacer.waitMs(chatId, now);
      if (wait === 0) return this.pacer.take(chatId, now);
      await this.sleep(wait, never);
    }
  }

  /** Sleeps `ms`, or less if an in-flight send settles first (it may free a chat that can go now). */
  private async sleepOrSettle(ms: number, inFlight: Iterable<Promise<void>>): Promise<void> {
    const pending = [...inFlight];
    if (pending.length === 0) return this.sleep(ms, this.stopController.signal);
    const timer = new AbortController();
    try {
      await Promise.race([this.sleep(ms, AbortSignal.any([timer.signal, this.stopController.signal])), ...pending]);
    } finally {
      timer.abort();
    }
  }
}
