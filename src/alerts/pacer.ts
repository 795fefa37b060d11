// Limits on the injected clock that keep the sender inside Telegram's: a sliding window overall, token
// buckets per chat.

export interface PaceLimits {
  /** At most this many messages over all chats in any `globalWindowMs`. */
  globalPerWindow: number;
  globalWindowMs: number;
  /** The least time between two messages over all chats (no burst of a whole window at once). */
  globalGapMs: number;
  /** Sustained messages per second in one private chat. */
  chatPerSecond: number;
  chatBurst: number;
  /** Sustained messages per second in one group (negative chat id). */
  groupPerSecond: number;
  groupBurst: number;
}

/**
 * Telegram's limits: about 30 messages a second overall, 1 a second per private chat (small bursts
 * allowed), 20 a minute per group. Overall: 30 in any window of 1 s plus 30 ms (requests leave here
 * and are counted there a little later, not always with the same spacing), at least 25 ms apart,
 * which sustains about 29 messages a second. Per chat and per group: token buckets.
 */
export const DEFAULT_PACE_LIMITS: PaceLimits = {
  globalPerWindow: 30,
  globalWindowMs: 1_030,
  globalGapMs: 25,
  chatPerSecond: 1,
  chatBurst: 2,
  groupPerSecond: 18 / 60,
  groupBurst: 2,
};

/** At most `size` events in any window of `windowMs`, at least `gapMs` apart. */
export class SlidingWindow {
  private readonly stamps: number[] = [];
  private pausedUntil = 0;

  constructor(
    private readonly size: number,
    private readonly windowMs: number,
    private readonly gapMs: number,
  ) {}

  private prune(now: number): void {
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
  }

  /** Milliseconds until the next event fits (0: now). */
  waitMs(now: number): number {
    this.prune(now);
    const pause = Math.max(0, this.pausedUntil - now);
    const last = this.stamps.at(-1);
    const gap = last === undefined ? 0 : Math.max(0, last + this.gapMs - now);
    const full = this.stamps.length >= this.size ? this.stamps[this.stamps.length - this.size]! + this.windowMs - now : 0;
    return Math.ceil(Math.max(pause, gap, full, 0));
  }

  take(now: number): void {
    this.prune(now);
    this.stamps.push(now);
  }

  /** Nothing before `until` (a 429's retry_after). */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

export class TokenBucket {
  private tokens: number;
  private pausedUntil = 0;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private at: number,
  ) {
    this.tokens = capacity;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
      this.at = now;
    }
  }

  /** Milliseconds until a token is available (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    const pause = Math.max(0, this.pausedUntil - now);
    const refill = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
    return Math.max(pause, refill);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** No token before `until` (a 429's retry_after), then one token, refilling from there. */
  pauseUntil(until: number): void {
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.tokens = Math.min(this.tokens, 1);
    this.at = Math.max(this.at, until);
  }

  /** Full and not paused: forgetting it changes nothing. */
  idle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity && now >= this.pausedUntil;
  }
}

/** One global window plus one bucket per chat. */
export class Pacer {
  private readonly global: SlidingWindow;
  private readonly chats = new Map<number, TokenBucket>();
  readonly limits: PaceLimits;

  constructor(_now: number, limits: Partial<PaceLimits> = {}) {
    this.limits = { ...DEFAULT_PACE_LIMITS, ...limits };
    this.global = new SlidingWindow(this.limits.globalPerWindow, this.limits.globalWindowMs, this.limits.globalGapMs);
  }

  private chat(chatId: number, now: number): TokenBucket {
    let bucket = this.chats.get(chatId);
    if (!bucket) {
      const l = this.limits;
      bucket = chatId < 0 ? new TokenBucket(l.groupBurst, l.groupPerSecond, now) : new TokenBucket(l.chatBurst, l.chatPerSecond, now);
      this.chats.set(chatId, bucket);
    }
    return bucket;
  }

  /** Milliseconds until this chat may be sent to, ignoring the global limit. */
  chatWaitMs(chatId: number, now: number): number {
    return this.chats.get(chatId)?.waitMs(now) ?? 0;
  }

  /** Milliseconds until a message to this chat fits both limits. */
  waitMs(chatId: number, now: number): number {
    return Math.max(this.global.waitMs(now), this.chat(chatId, now).waitMs(now));
  }

  /** Records a send. Call only when waitMs() is 0. */
  take(chatId: number, now: number): void {
    this.global.take(now);
    this.chat(chatId, now).take(now);
    if (this.chats.size > 1_000) this.forgetIdle(now);
  }

  /** Telegram asked this chat to wait (429 retry_after). */
  pauseChat(chatId: number, until: number, now: number): void {
    this.chat(chatId, now).pauseUntil(until);
  }

  private forgetIdle(now: number): void {
    for (const [id, bucket] of this.chats) if (bucket.idle(now)) this.chats.delete(id);
  }
}
