import type { Clock } from '../../lib/clock.js';

/** Telegram's documented sending limits (approximate, as Telegram does not publish exact rules). */
export interface FloodLimits {
  /** Messages per second across all chats. */
  globalPerSecond: number;
  /** Sustained messages per second in one private chat. */
  privatePerSecond: number;
  /** Messages a private chat may take in a short burst before the per-second rate applies. */
  privateBurst: number;
  /** Messages per minute in one group. */
  groupPerMinute: number;
}

export const TELEGRAM_LIMITS: FloodLimits = { globalPerSecond: 30, privatePerSecond: 1, privateBurst: 3, groupPerMinute: 20 };

/** Methods that post a new message and so count against the limits. */
export const SENDING_METHODS = new Set(['sendmessage', 'sendphoto', 'senddocument']);

class SlidingWindow {
  private stamps: number[] = [];
  constructor(private readonly size: number, private readonly windowMs: number) {}
  /** Seconds to wait before another event fits, or 0. */
  wait(now: number): number {
    this.stamps = this.stamps.filter((t) => t > now - this.windowMs);
    const oldest = this.stamps[0];
    return this.stamps.length < this.size || oldest === undefined ? 0 : (oldest + this.windowMs - now) / 1000;
  }
  record(now: number): void {
    this.stamps.push(now);
  }
}

class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(private readonly capacity: number, private readonly perSecond: number, now: number) {
    this.tokens = capacity;
    this.at = now;
  }
  wait(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.perSecond;
  }
  record(): void {
    this.tokens -= 1;
  }
}

/** Flood control modelled on Telegram's limits; a refused send costs nothing. */
export class FloodControl {
  private readonly global: SlidingWindow;
  private readonly privateChats = new Map<number, TokenBucket>();
  private readonly groups = new Map<number, SlidingWindow>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: FloodLimits = TELEGRAM_LIMITS,
  ) {
    this.global = new SlidingWindow(limits.globalPerSecond, 1000);
  }

  /** Records a send to `chatId`, or returns the retry_after seconds (at least 1) if it is over a limit. */
  admit(chatId: number, isGroup: boolean): number | null {
    const now = this.clock.now();
    let chatLimit: SlidingWindow | TokenBucket;
    if (isGroup) {
      chatLimit = this.groups.get(chatId) ?? new SlidingWindow(this.limits.groupPerMinute, 60_000);
      this.groups.set(chatId, chatLimit);
    } else {
      chatLimit = this.privateChats.get(chatId) ?? new TokenBucket(this.limits.privateBurst, this.limits.privatePerSecond, now);
      this.privateChats.set(chatId, chatLimit);
    }
    const wait = Math.max(this.global.wait(now), chatLimit.wait(now));
    if (wait > 0) return Math.max(1, Math.ceil(wait));
    this.global.record(now);
    chatLimit.record(now);
    return null;
  }
}
