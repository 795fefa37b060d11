/**
 * The app's LoopControl across processes.
 *
 * sync: desired state is already in PostgreSQL; publish "bots changed" so workers sync at once (they
 *   also sync every cycle, so a lost message costs at most one tick).
 * halt: stored first as desired state (Setting `cluster:halt:<botId>`), then published; the worker
 *   holding the bot's lease halts it and answers. When no worker holds the lease the answer is null at
 *   once (as for a bot not running in one process); the stored request is carried out by whichever
 *   worker takes the bot next, or, for a bot stopped meanwhile, by any worker (it takes the lease,
 *   opens the bot, halts it, and lets it go). When the holder does not answer within the timeout the
 *   owner gets one clear sentence, and the stored request still gets carried out.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UserInputError } from '../app/errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { SettingsRepository } from '../store/settings.js';
import type { TradingLoop } from '../jobs/trading-loop.js';
import type { LeaseStore } from './lease.js';
import type { HaltRequest, HaltResult, Wakeups } from './wakeups.js';

export const HALT_KEY_PREFIX = 'cluster:halt:';
const storedHalt = z.object({ id: z.string(), flatten: z.boolean(), reason: z.string(), at: z.number() });
type StoredHalt = z.infer<typeof storedHalt>;

/** The worker running the bot did not answer in time (the request stays stored). */
export class NoWorkerAnswerError extends UserInputError {}

export class RemoteLoop {
  constructor(
    private readonly d: { prisma: PrismaClient; wakeups: Wakeups; leases: LeaseStore; clock: Clock; timeoutMs: number },
  ) {}

  async sync(): Promise<void> {
    this.d.wakeups.publish('bots');
  }

  async halt(botId: number, flatten: boolean, reason: string): Promise<HaltResult | null> {
    const bot = await this.d.prisma.bot.findUnique({ where: { id: botId }, select: { status: true } });
    if (!bot) return null;
    const id = randomUUID();
    // Stored first: whatever happens to the messages, the worker that runs the bot next carries it out.
    await new SettingsRepository(this.d.prisma).set(`${HALT_KEY_PREFIX}${botId}`, storedHalt, { id, flatten, reason, at: this.d.clock.now() });
    const [holder] = await this.d.leases.holders([`bot:${botId}`]);
    if (!holder) {
      this.d.wakeups.publish('bots');
      return null;
    }
    const reply = await this.d.wakeups.requestHalt({ id, botId, flatten, reason }, this.d.timeoutMs);
    if (!reply) {
      throw new NoWorkerAnswerError(
        `The worker running bot #${botId} did not answer within ${Math.round(this.d.timeoutMs / 1000)} s; the halt is stored and will be carried out as soon as that worker (or the one taking over) runs its next cycle.`,
      );
    }
    if (reply.error !== undefined) {
      throw new UserInputError(`The worker running bot #${botId} could not halt it (${reply.error}); the halt stays stored and is tried again on its next cycle.`);
    }
    return reply.result;
  }
}

/**
 * Worker side: carries out halt requests, from a message (at once) or from the store (every
 * `everyMs`, and after restarts). Only the process holding a bot's lease halts it.
 */
export class HaltExecutor {
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> = Promise.resolve();

  constructor(
    private readonly d: { prisma: PrismaClient; loop: TradingLoop; wakeups: Wakeups; leases: LeaseStore; logger: Logger; everyMs: number },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runStored(), this.d.everyMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
  }

  /** A published request: answered only by the process running the bot. */
  onRequest(req: HaltRequest): void {
    if (!this.d.loop.runner(req.botId)) return;
    void this.execute(req.botId, { id: req.id, flatten: req.flatten, reason: req.reason, at: 0 }, false, req.replyTo);
  }

  /** Carries out the stored requests this process can. */
  runStored(): Promise<void> {
    this.pass = this.pass.then(() => this.scan()).catch((err: unknown) => this.d.logger.warn({ err }, 'could not read stored halt requests'));
    return this.pass;
  }

  private async scan(): Promise<void> {
    const rows = await this.d.prisma.setting.findMany({ where: { key: { startsWith: HALT_KEY_PREFIX } } });
    for (const row of rows) {
      const botId = Number(row.key.slice(HALT_KEY_PREFIX.length));
      const req = storedHalt.safeParse(row.value);
      if (!Number.isInteger(botId) || !req.success) continue;
      if (this.d.loop.runner(botId)) {
        await this.execute(botId, req.data, false, null);
        continue;
      }
      const bot = await this.d.prisma.bot.findUnique({ where: { id: botId }, select: { status: true } });
      if (!bot) {
        await this.forget(botId, req.data.id);
        continue;
      }
      // A bot meant to run is halted by the worker that takes it; one stopped or paused meanwhile by anyone free to.
      if (bot.status === 'running') continue;
      const [holder] = await this.d.leases.holders([`bot:${botId}`]);
      if (holder === null) await this.execute(botId, req.data, true, null);
    }
  }

  private async execute(botId: number, req: StoredHalt, detached: boolean, replyTo: string | null): Promise<void> {
    if (this.busy.has(req.id)) return;
    this.busy.add(req.id);
    try {
      if (replyTo === null && !(await this.stillStored(botId, req.id))) return; // done meanwhile (by a message)
      const r = detached ? await this.d.loop.haltDetached(botId, req.flatten, req.reason) : await this.d.loop.haltHere(botId, req.flatten, req.reason);
      if (r === null) return; // not ours after all
      await this.forget(botId, req.id);
      if (replyTo) this.d.wakeups.reply(replyTo, { id: req.id, result: r });
      this.d.logger.info({ botId, requestId: req.id, result: r }, 'halted the bot as asked');
    } catch (err) {
      this.d.logger.error({ err, botId }, 'could not halt the bot; the request stays stored');
      if (replyTo) this.d.wakeups.reply(replyTo, { id: req.id, result: null, error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.busy.delete(req.id);
    }
  }

  private async stillStored(botId: number, id: string): Promise<boolean> {
    const row = await this.d.prisma.setting.findUnique({ where: { key: `${HALT_KEY_PREFIX}${botId}` } });
    return storedHalt.safeParse(row?.value).data?.id === id;
  }

  /** Deletes the stored request if it is still this one (a newer request for the bot stays). */
  private async forget(botId: number, id: string): Promise<void> {
    await this.d.prisma.setting.deleteMany({ where: { key: `${HALT_KEY_PREFIX}${botId}`, value: { path: ['id'], equals: id } } });
  }
}
