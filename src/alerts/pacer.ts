// Token buckets on the injected clock that keep the sender inside Telegram's limits: about 30 messages
// a second overall, 1 a second per private chat (small bursts allowed), 20 a minute per group.

export interface PaceLimits {
  /** Sustained messages per second over all chats. */
  globalPerSecond: number;
  /** Messages sent back to back over all chats before the global rate applies. */
  globalBurst: number;
  /** Sustained messages per second in one private chat. */
  chatPerSecond: number;
  chatBurst: number;
  /** Sustained messages per second in one group (negative chat id). */
  groupPerSecond: number;
  groupBurst: number;
}

/**
 * Below Telegram's limits with a margin: requests leave here and are counted there a little later
 * and not always in the same spacing, and a sliding one-second window admits at most burst + rate.
 */
export const DEFAULT_PACE_LIMITS: PaceLimits = {
  globalPerSecond: 27,
  globalBurst: 1,
  chatPerSecond: 1,
  chatBurst: 2,
  groupPerSecond: 18 / 60,
  groupBurst: 2,
};

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

/** One global bucket plus one bucket per chat. */
export class Pacer {
  private readonly global: TokenBucket;
  private readonly chats = new Map<number, TokenBucket>();
  readonly limits: PaceLimits;

  constructor(now: number, limits: Partial<PaceLimits> = {}) {
    this.limits = { ...DEFAULT_PACE_LIMITS, ...limits };
    this.global = new TokenBucket(this.limits.globalBurst, this.limits.globalPerSecond, now);
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
