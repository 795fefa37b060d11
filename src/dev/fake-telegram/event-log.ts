import { EventEmitter } from 'node:events';
import { describeEvent, type BotEvent, type ChatEvent } from './events.js';

export interface WaitOptions {
  /** Real milliseconds to wait before failing with a descriptive error (default 5000). */
  timeoutMs?: number;
  /** Names what is awaited in the timeout error. */
  description?: string;
}

export const DEFAULT_WAIT_MS = 5000;

/**
 * One chat's event log: ordered, numbered events, subscribers, and waiters that resolve on the
 * first matching event after a given position (event driven, no polling). Keeps the latest
 * `capacity` events.
 */
export class EventLog {
  private readonly events: ChatEvent[] = [];
  private readonly emitter = new EventEmitter();
  private seq = 0;

  constructor(
    readonly chatId: number,
    private readonly capacity = 2000,
  ) {
    this.emitter.setMaxListeners(0);
  }

  get lastSeq(): number {
    return this.seq;
  }

  push(event: BotEvent, at: number): ChatEvent {
    const logged = { ...event, chatId: this.chatId, seq: ++this.seq, at } as ChatEvent;
    this.events.push(logged);
    if (this.events.length > this.capacity) this.events.shift();
    this.emitter.emit('event', logged);
    return logged;
  }

  /** Retained events with a position after `seq`. */
  since(seq = 0): ChatEvent[] {
    return this.events.filter((e) => e.seq > seq);
  }

  subscribe(listener: (e: ChatEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** The first event after `afterSeq` matching `predicate`, already logged or still to come. */
  waitFor<E extends ChatEvent>(
    afterSeq: number,
    predicate: (e: ChatEvent) => e is E,
    options?: WaitOptions,
  ): Promise<E>;
  waitFor(afterSeq: number, predicate: (e: ChatEvent) => boolean, options?: WaitOptions): Promise<ChatEvent>;
  waitFor(afterSeq: number, predicate: (e: ChatEvent) => boolean, options: WaitOptions = {}): Promise<ChatEvent> {
    const found = this.since(afterSeq).find(predicate);
    if (found) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise((resolve, reject) => {
      const unsubscribe = this.subscribe((e) => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(e);
      });
      const timer = setTimeout(() => {
        unsubscribe();
        const recent = this.since(afterSeq).slice(-5).map(describeEvent);
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for ${options.description ?? 'a bot event'} in chat ${this.chatId}; ` +
              (recent.length ? `bot events since then: ${recent.join('; ')}` : 'the bot did nothing in this chat since then'),
          ),
        );
      }, timeoutMs);
    });
  }
}
