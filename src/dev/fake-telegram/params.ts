import { badRequest } from './api-error.js';

/**
 * Request parameters as they arrive: native JSON values from a JSON body, strings from a query
 * string, a urlencoded body or multipart fields. These readers accept both.
 */
export type Params = Record<string, unknown>;

export function optString(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest(`field "${key}" must be of type String`);
}

export function optInt(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`field "${key}" must be of type Integer`);
  return n;
}

export function optBool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  throw badRequest(`field "${key}" must be of type Boolean`);
}

/** A structured field: already an object in a JSON body, a JSON string elsewhere. */
export function optJson(p: Params, key: string, parseError: string): unknown {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw badRequest(parseError);
  }
}

/** `chat_id` as a number; `@username` is not resolvable here, so it is "chat not found". */
export function requireChatId(p: Params): number {
  const v = p['chat_id'];
  if (v === undefined || v === null || v === '') throw badRequest('chat_id is empty');
  if (typeof v === 'string' && !/^\s*-?\d+\s*$/.test(v)) throw badRequest('chat not found');
  const id = optInt(p, 'chat_id');
  if (id === undefined) throw badRequest('chat_id is empty');
  return id;
}

export function requireMessageId(p: Params): number {
  if (p['inline_message_id'] !== undefined) throw badRequest('inline messages are not supported by the fake server');
  const id = optInt(p, 'message_id');
  if (id === undefined) throw badRequest('message identifier is not specified');
  return id;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
