/**
 * Wake-ups between processes over Redis pub/sub. Messages are hints: what they announce is already
 * stored in PostgreSQL (desired state, outbox rows), and every process also looks on its own
 * schedule, so a message lost while a process restarts delays nothing for long.
 *
 *   bots    a command changed desired state: workers sync now
 *   alerts  alerts were queued: the alert sender drains now
 *   halt    halt bot N now (the worker running it answers on the asker's reply channel)
 */
import { z } from 'zod';
import type { Logger } from '../lib/logger.js';
import type { RedisPair } from './redis.js';

export const haltRequestSchema = z.object({
  id: z.string(),
  botId: z.number().int(),
  flatten: z.boolean(),
  reason: z.string(),
  /** Owner id of the asker (its reply channel). */
  replyTo: z.string(),
});
export type HaltRequest = z.infer<typeof haltRequestSchema>;

const haltResultSchema = z.object({ cancelled: z.number(), sold: z.number() });
export type HaltResult = z.infer<typeof haltResultSchema>;

const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bots') }),
  z.object({ type: z.literal('alerts') }),
  z.object({ type: z.literal('halt'), request: haltRequestSchema }),
]);
type Message = z.infer<typeof messageSchema>;

const replySchema = z.object({ id: z.string(), result: haltResultSchema.nullable(), error: z.string().optional() });
export type HaltReply = z.infer<typeof replySchema>;

export interface WakeupHandlers {
  bots?(): void;
  alerts?(): void;
  halt?(req: HaltRequest): void;
}

export class Wakeups {
  private readonly waiting = new Map<string, (r: HaltReply) => void>();
  private handlers: WakeupHandlers = {};
  private readonly listener = (channel: string, raw: string): void => this.onMessage(channel, raw);

  constructor(
    private readonly redis: RedisPair,
    readonly owner: string,
    private readonly logger: Logger,
  ) {}

  private get channel(): string {
    return `${this.redis.prefix}wake`;
  }

  private replyChannel(owner: string): string {
    return `${this.redis.prefix}reply:${owner}`;
  }

  async start(handlers: WakeupHandlers): Promise<void> {
    this.handlers = handlers;
    this.redis.sub.on('message', this.listener);
    await this.redis.sub.subscribe(this.channel, this.replyChannel(this.owner));
  }

  async stop(): Promise<void> {
    this.redis.sub.off('message', this.listener);
    await this.redis.sub.unsubscribe(this.channel, this.replyChannel(this.owner)).catch(() => undefined);
    for (const done of this.waiting.values()) done({ id: '', result: null, error: 'stopping' });
    this.waiting.clear();
  }

  /** Announces a change; never throws (a lost hint is caught up by the next scheduled look). */
  publish(type: 'bots' | 'alerts'): void {
    this.send({ type });
  }

  /** Sends a halt request and waits for the answer of the worker running the bot (null after the timeout). */
  async requestHalt(req: Omit<HaltRequest, 'replyTo'>, timeoutMs: number): Promise<HaltReply | null> {
    const answer = new Promise<HaltReply | null>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(req.id);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(req.id, (r) => {
        clearTimeout(timer);
        this.waiting.delete(req.id);
        resolve(r);
      });
    });
    this.send({ type: 'halt', request: { ...req, replyTo: this.owner } });
    return answer;
  }

  /** The worker's answer to a halt request. */
  reply(to: string, r: HaltReply): void {
    void this.redis.cmd.publish(this.replyChannel(to), JSON.stringify(r)).catch((err: unknown) => this.logger.warn({ err }, 'could not answer a halt request'));
  }

  private send(m: Message): void {
    void this.redis.cmd.publish(this.channel, JSON.stringify(m)).catch((err: unknown) => this.logger.warn({ err, type: m.type }, 'could not publish a wake-up'));
  }

  private onMessage(channel: string, raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    if (channel === this.replyChannel(this.owner)) {
      const r = replySchema.safeParse(json);
      if (r.success) this.waiting.get(r.data.id)?.(r.data);
      return;
    }
    if (channel !== this.channel) return;
    const m = messageSchema.safeParse(json);
    if (!m.success) return;
    if (m.data.type === 'bots') this.handlers.bots?.();
    else if (m.data.type === 'alerts') this.handlers.alerts?.();
    else this.handlers.halt?.(m.data.request);
  }
}
