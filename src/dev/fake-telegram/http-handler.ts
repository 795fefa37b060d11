import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../lib/clock.js';
import { ApiError, notFound, serverError, tooManyRequests, unauthorized } from './api-error.js';
import type { ApiCall, CallLog } from './call-log.js';
import type { FaultInjector } from './faults.js';
import { SENDING_METHODS, type FloodControl } from './flood-control.js';
import type { MethodHandler } from './method-types.js';
import { optInt } from './params.js';
import { parseRequest, readBody, type ParsedRequest } from './request-body.js';
import type { World } from './world.js';

export interface HandlerDeps {
  token: string;
  methods: Map<string, MethodHandler>;
  world: World;
  faults: FaultInjector;
  flood: FloodControl | null;
  calls: CallLog;
  clock: Clock;
}

const ROUTE = /^\/bot([^/]*)\/([^/]+)$/;

function respond(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** Flood control for message sends: null when admitted, else the 429 to answer. */
function floodError(d: HandlerDeps, method: string, req: ParsedRequest): ApiError | null {
  if (!d.flood || !SENDING_METHODS.has(method)) return null;
  let chatId: number | undefined;
  try {
    chatId = optInt(req.params, 'chat_id');
  } catch {
    return null; // the method itself reports the bad chat_id
  }
  const chat = chatId === undefined ? undefined : d.world.chats.get(chatId);
  if (!chat) return null;
  const wait = d.flood.admit(chat.chat.id, chat.chat.type !== 'private');
  return wait === null ? null : tooManyRequests(wait);
}

/** Serves `/bot<token>/<method>` in the Bot API's shape, applying injected faults and flood control. */
export function createRequestHandler(d: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(d, req, res).catch((e: unknown) => {
      respond(res, 500, new ApiError(500, `Internal Server Error: ${String(e)}`).toBody());
    });
  };
}

async function handle(d: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const seq = d.calls.nextSeq();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = ROUTE.exec(url.pathname);
  const method = route ? decodeURIComponent(route[2] ?? '') : url.pathname;
  let parsed: ParsedRequest = { params: {}, files: [] };
  let injected: ApiCall['injected'];
  const log = (status: number, description?: string): void => {
    d.calls.record({
      seq, at: d.clock.now(), method, params: parsed.params,
      files: parsed.files.map((f) => ({ field: f.field, filename: f.filename, bytes: f.data.length })),
      status, ok: status === 200,
      ...(description !== undefined ? { description } : {}),
      ...(injected ? { injected } : {}),
    });
  };
  const drop = (): void => {
    injected = 'drop';
    log(0, 'connection dropped');
    req.socket.destroy();
  };

  try {
    const body = await readBody(req);
    if (!route) throw notFound();
    if (decodeURIComponent(route[1] ?? '') !== d.token) throw unauthorized();
    parsed = parseRequest(url.searchParams, req.headers['content-type'] ?? '', body);
    const name = method.toLowerCase();
    const handler = d.methods.get(name);
    if (!handler) throw notFound();

    const fault = d.faults.take(name);
    if (fault?.kind === 'rate-limit' || fault?.kind === 'server-error') {
      injected = fault.kind;
      throw fault.kind === 'rate-limit' ? tooManyRequests(fault.retryAfter) : serverError(fault.status);
    }
    if (fault?.kind === 'drop' && !fault.afterHandling) return drop();
    const flood = floodError(d, name, parsed);
    if (flood) {
      injected = 'flood-control';
      throw flood;
    }

    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const result = await handler({ params: parsed.params, files: parsed.files, signal: controller.signal });
    if (fault?.kind === 'drop') return drop();
    respond(res, 200, { ok: true, result });
    log(200);
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError(500, `Internal Server Error: ${e instanceof Error ? e.message : String(e)}`);
    respond(res, error.status, error.toBody());
    log(error.status, error.description);
  }
}
