import { Bot } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock.js';
import { FloodControl } from '../../../src/dev/fake-telegram/flood-control.js';
import { fakeServer, grammyError, runCleanups } from './harness.js';

afterEach(runCleanups);

describe('FloodControl', () => {
  it('private chats: a short burst, then 1 message per second', () => {
    const clock = new ManualClock(0);
    const flood = new FloodControl(clock);
    expect([flood.admit(1, false), flood.admit(1, false), flood.admit(1, false)]).toEqual([null, null, null]);
    expect(flood.admit(1, false)).toBe(1);
    expect(flood.admit(2, false)).toBeNull(); // other chats are not affected
    clock.advance(999);
    expect(flood.admit(1, false)).toBe(1);
    clock.advance(1);
    expect(flood.admit(1, false)).toBeNull();
    expect(flood.admit(1, false)).toBe(1);
  });

  it('groups: 20 per minute, retry_after counts down to the oldest send leaving the window', () => {
    const clock = new ManualClock(0);
    const flood = new FloodControl(clock);
    for (let i = 0; i < 20; i++) {
      expect(flood.admit(-5, true)).toBeNull();
      clock.advance(100);
    }
    expect(flood.admit(-5, true)).toBe(58);
    clock.advance(58_000);
    expect(flood.admit(-5, true)).toBeNull();
  });

  it('30 messages per second across all chats', () => {
    const flood = new FloodControl(new ManualClock(0));
    for (let chat = 1; chat <= 30; chat++) expect(flood.admit(chat, false)).toBeNull();
    expect(flood.admit(31, false)).toBe(1);
  });

  it('custom limits', () => {
    const flood = new FloodControl(new ManualClock(0), { globalPerSecond: 100, privatePerSecond: 2, privateBurst: 1, groupPerMinute: 1 });
    expect(flood.admit(1, false)).toBeNull();
    expect(flood.admit(1, false)).toBe(1);
  });
});

describe('flood control on the server', () => {
  it('is off by default', async () => {
    const server = await fakeServer();
    const api = new Bot(server.token, { client: { apiRoot: server.apiRoot } }).api;
    server.user(1).send('hi');
    for (let i = 0; i < 10; i++) await api.sendMessage(1, `m${i}`);
    expect(server.callsTo('sendMessage').every((c) => c.ok)).toBe(true);
  });

  it('answers 429 with retry_after when a bot sends too fast, and recovers', async () => {
    const clock = new ManualClock(1_000_000);
    const server = await fakeServer({ clock, floodControl: true });
    const api = new Bot(server.token, { client: { apiRoot: server.apiRoot } }).api;
    server.user(1).send('hi');
    for (let i = 0; i < 3; i++) await api.sendMessage(1, `m${i}`);
    const e = await grammyError(api.sendMessage(1, 'too fast'));
    expect([e.error_code, e.description, e.parameters.retry_after]).toEqual([429, 'Too Many Requests: retry after 1', 1]);
    expect(server.callsTo('sendMessage').at(-1)?.injected).toBe('flood-control');
    clock.advance(1000);
    await expect(api.sendMessage(1, 'later')).resolves.toMatchObject({ text: 'later' });
    await expect(api.getMe()).resolves.toBeTruthy(); // only sends count
  });
});
