// How send errors are classified, from real grammY errors against the fake Bot API server.
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, classifySendError, isChatLevelRefusal, permanentCount, permanentError } from '../../src/alerts/failures.js';
import { startFakeTelegram, type FakeTelegramServer } from '../../src/dev/fake-telegram/index.js';

let server: FakeTelegramServer;
let api: Api;

beforeAll(async () => {
  server = await startFakeTelegram();
  api = new Api(server.token, { apiRoot: server.apiRoot });
  server.user(1).send('/start');
});
afterAll(async () => {
  await server.close();
});

const failureOf = async (p: Promise<unknown>): Promise<ReturnType<typeof classifySendError>> => {
  try {
    await p;
  } catch (e) {
    return classifySendError(e);
  }
  throw new Error('expected the call to fail');
};

describe('classifySendError', () => {
  it('429: rate-limit with retry_after in ms', async () => {
    server.faults.rateLimit({ method: 'sendMessage', retryAfter: 12 });
    expect(await failureOf(api.sendMessage(1, 'x'))).toEqual({
      kind: 'rate-limit', retryAfterMs: 12_000, description: '429 Too Many Requests: retry after 12',
    });
  });

  it('5xx: transient, known not to have arrived', async () => {
    server.faults.serverError({ method: 'sendMessage', status: 503 });
    expect(await failureOf(api.sendMessage(1, 'x'))).toEqual({ kind: 'transient', description: '503 Service Unavailable', mayHaveArrived: false });
  });

  it('400 / 403: permanent', async () => {
    expect(await failureOf(api.sendMessage(1, '<b>unclosed', { parse_mode: 'HTML' }))).toMatchObject({ kind: 'permanent', code: 400 });
    server.user(2);
    const f = await failureOf(api.sendMessage(2, 'x'));
    expect(f).toEqual({ kind: 'permanent', code: 403, description: "403 Forbidden: bot can't initiate conversation with a user" });
    expect(isChatLevelRefusal(f.description)).toBe(true);
    expect(await failureOf(api.sendMessage(999, 'x'))).toMatchObject({ kind: 'permanent', code: 400, description: '400 Bad Request: chat not found' });
    expect(isChatLevelRefusal("400 Bad Request: can't parse entities")).toBe(false);
  });

  it('a connection dropped mid-request: transient, and it may have arrived', async () => {
    server.faults.drop({ method: 'sendMessage', afterHandling: true });
    const f = await failureOf(api.sendMessage(1, 'x'));
    expect(f).toMatchObject({ kind: 'transient', mayHaveArrived: true });
    expect(f.description).toMatch(/^network: /);
  });

  it('connection refused: transient, and it certainly did not arrive', async () => {
    const closed = await startFakeTelegram();
    await closed.close();
    const dead = new Api(closed.token, { apiRoot: closed.apiRoot });
    const f = await failureOf(dead.sendMessage(1, 'x'));
    expect(f).toMatchObject({ kind: 'transient', mayHaveArrived: false });
    expect(f.description).toContain('ECONNREFUSED');
  });

  it('shapes without grammY: error_code objects, errors with causes, anything thrown', () => {
    expect(classifySendError({ error_code: 429, description: 'Too Many Requests' })).toMatchObject({ kind: 'rate-limit', retryAfterMs: 5_000 });
    expect(classifySendError({ error_code: 401, description: 'Unauthorized' })).toMatchObject({ kind: 'transient', mayHaveArrived: false });
    expect(classifySendError(new Error('x', { cause: { code: 'ENOTFOUND' } }))).toMatchObject({ kind: 'transient', mayHaveArrived: false });
    expect(classifySendError(new Error('timeout'))).toMatchObject({ kind: 'transient', mayHaveArrived: true });
    expect(classifySendError('boom')).toMatchObject({ kind: 'transient', mayHaveArrived: true });
  });
});

describe('back-off and refusal counting', () => {
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffMs(n, 1_000, 60_000))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('reads back the refusal count it wrote', () => {
    expect(permanentCount(permanentError(2, 3, '403 Forbidden'))).toBe(2);
    expect(permanentCount('502 Bad Gateway')).toBe(0);
    expect(permanentCount(null)).toBe(0);
  });
});
