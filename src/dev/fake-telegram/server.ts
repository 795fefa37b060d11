import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UserFromGetMe } from 'grammy/types';
import { systemClock, type Clock } from '../../lib/clock.js';
import { CallLog, type ApiCall } from './call-log.js';
import type { ChatEvent } from './events.js';
import { FakeGroup } from './fake-group.js';
import { FakeUser } from './fake-user.js';
import { FaultInjector } from './faults.js';
import { FloodControl, TELEGRAM_LIMITS, type FloodLimits } from './flood-control.js';
import { createRequestHandler } from './http-handler.js';
import type { MethodHandler } from './method-types.js';
import { botMethods } from './methods/bot.js';
import { mediaMethods } from './methods/media.js';
import { messageMethods } from './methods/messages.js';
import { botIdentity, World, type CallbackRecord, type UserInit } from './world.js';

export interface FakeTelegramOptions {
  /** The only token the server accepts (default '7000000001:FAKE-telegram-token'). */
  token?: string;
  /** Time for `date` fields, callback expiry, outages and flood control (default: system clock). */
  clock?: Clock;
  /** Model Telegram's sending limits (off by default); pass limits to change them. */
  floodControl?: boolean | Partial<FloodLimits>;
  botUsername?: string;
  botName?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How many API calls the call log keeps (default 10,000). */
  callLogCapacity?: number;
}

export const DEFAULT_TOKEN = '7000000001:FAKE-telegram-token';

/** A fake Telegram Bot API server on real HTTP; a bot connects with `{ client: { apiRoot } }`. */
export class FakeTelegramServer {
  readonly world: World;
  /** Failure injection: rateLimit(), serverError(), drop(), startOutage(). */
  readonly faults: FaultInjector;
  readonly callLog: CallLog;
  private readonly users = new Map<number, FakeUser>();
  private groupCounter = 0;

  private constructor(
    private readonly http: Server,
    readonly token: string,
    readonly apiRoot: string,
    world: World,
    faults: FaultInjector,
    callLog: CallLog,
  ) {
    this.world = world;
    this.faults = faults;
    this.callLog = callLog;
  }

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegramServer> {
    const token = options.token ?? DEFAULT_TOKEN;
    const clock = options.clock ?? systemClock;
    const world = new World(botIdentity(token, options.botUsername ?? 'fake_trader_bot', options.botName ?? 'Fake Bot'), clock);
    const faults = new FaultInjector(clock);
    const callLog = new CallLog(options.callLogCapacity);
    const fc = options.floodControl;
    const flood = fc ? new FloodControl(clock, { ...TELEGRAM_LIMITS, ...(fc === true ? {} : fc) }) : null;
    const methods = new Map<string, MethodHandler>();
    for (const [name, handler] of Object.entries({ ...botMethods(world), ...messageMethods(world), ...mediaMethods(world) })) {
      methods.set(name.toLowerCase(), handler);
    }
    const http = createServer(createRequestHandler({ token, methods, world, faults, flood, calls: callLog, clock }));
    // Keep idle connections longer than clients do (as Telegram's servers do): with Node's default
    // of 5 s, a client reusing a socket the server just closed sees ECONNRESET.
    http.keepAliveTimeout = 75_000;
    http.headersTimeout = 80_000;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const { port } = http.address() as AddressInfo;
    return new FakeTelegramServer(http, token, `http://${host}:${port}`, world, faults, callLog);
  }

  /** The bot as getMe describes it. */
  get bot(): UserFromGetMe {
    return this.world.bot;
  }

  /** Every API call answered so far (getUpdates included). */
  get calls(): readonly ApiCall[] {
    return this.callLog.all();
  }

  /** Calls to one method (case-insensitive). */
  callsTo(method: string): ApiCall[] {
    return this.callLog.of(method);
  }

  /** The user with this id (the same object on every call); `init` names a new user. */
  user(id: number, init: UserInit = {}): FakeUser {
    const existing = this.users.get(id);
    if (existing) return existing;
    if (id <= 0) throw new Error(`user ids are positive, got ${id}`);
    const user = new FakeUser(this.world, this.world.addUser(id, init));
    this.users.set(id, user);
    return user;
  }

  /** A basic group (negative id) with these members and the bot. */
  group(options: { members: FakeUser[]; title?: string; id?: number }): FakeGroup {
    this.groupCounter += 1;
    const id = options.id ?? -(4_000_000_000 + this.groupCounter);
    const record = this.world.createGroup(id, options.title ?? `Group ${this.groupCounter}`, options.members.map((m) => m.id));
    return new FakeGroup(this.world, record);
  }

  /** What the bot does in every chat; returns the unsubscribe function. */
  onEvent(listener: (e: ChatEvent) => void): () => void {
    return this.world.subscribe(listener);
  }

  /** Callback queries, in any chat, that the bot never answered. */
  unansweredCallbacks(): CallbackRecord[] {
    return [...this.world.callbacks.values()].filter((c) => c.answer === null);
  }

  /** Updates queued and not yet confirmed by the bot. */
  get pendingUpdates(): number {
    return this.world.updates.size;
  }

  /** Stops listening, ends held polls and destroys open connections. */
  async close(): Promise<void> {
    this.world.updates.close();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }
}

/** Starts a fake Telegram Bot API server on 127.0.0.1 and a free port. */
export const startFakeTelegram = (options?: FakeTelegramOptions): Promise<FakeTelegramServer> =>
  FakeTelegramServer.start(options);
