// The pacer's limits on the injected clock.
import { describe, expect, it } from 'vitest';
import { Pacer, SlidingWindow, TokenBucket } from '../../src/alerts/pacer.js';

describe('TokenBucket', () => {
  it('allows a burst, then one token per 1/rate', () => {
    const b = new TokenBucket(2, 1, 0);
    expect(b.waitMs(0)).toBe(0);
    b.take(0);
    expect(b.waitMs(0)).toBe(0);
    b.take(0);
    expect(b.waitMs(0)).toBe(1000);
    expect(b.waitMs(400)).toBe(600);
    expect(b.waitMs(1000)).toBe(0);
    b.take(1000);
    expect(b.waitMs(1000)).toBe(1000);
    expect(b.waitMs(10_000)).toBe(0);
    b.take(10_000);
    b.take(10_000); // refilled to capacity (2), not beyond
    expect(b.waitMs(10_000)).toBe(1000);
  });

  it('pauses until a retry_after, then gives one token', () => {
    const b = new TokenBucket(3, 1, 0);
    b.pauseUntil(5_000);
    expect(b.waitMs(0)).toBe(5_000);
    expect(b.waitMs(4_999)).toBe(1);
    expect(b.waitMs(5_000)).toBe(0);
    b.take(5_000);
    expect(b.waitMs(5_000)).toBe(1000);
  });
});

describe('SlidingWindow', () => {
  it('admits at most n events in any window, at least a gap apart', () => {
    const w = new SlidingWindow(3, 1000, 25);
    const sent: number[] = [];
    let t = 0;
    while (t < 5_000) {
      const wait = w.waitMs(t);
      if (wait === 0) {
        w.take(t);
        sent.push(t);
      } else t += wait;
    }
    expect(sent.slice(0, 4)).toEqual([0, 25, 50, 1000]);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(25);
    for (let i = 3; i < sent.length; i++) expect(sent[i]! - sent[i - 3]!).toBeGreaterThanOrEqual(1000);
    expect(sent).toHaveLength(15);
  });

  it('waits for a retry_after', () => {
    const w = new SlidingWindow(30, 1000, 0);
    w.pauseUntil(2_000);
    expect(w.waitMs(500)).toBe(1_500);
    expect(w.waitMs(2_000)).toBe(0);
  });

  it('keeps Telegram\'s 30 in any second with the default limits, at about 29 a second', () => {
    const p = new Pacer(0);
    const sent: number[] = [];
    let t = 0;
    let chat = 1;
    while (t < 10_000) {
      const wait = p.waitMs(chat, t);
      if (wait === 0) {
        p.take(chat, t);
        sent.push(t);
        chat = (chat % 1000) + 1; // many chats: only the global limit binds
      } else t += wait;
    }
    for (let i = 30; i < sent.length; i++) expect(sent[i]! - sent[i - 30]!).toBeGreaterThan(1000);
    expect(sent.length / 10).toBeGreaterThanOrEqual(28.5);
  });
});

describe('Pacer', () => {
  it('holds the global rate and each chat\'s rate', () => {
    const p = new Pacer(0, { globalPerWindow: 1, globalWindowMs: 100, globalGapMs: 0, chatPerSecond: 1, chatBurst: 1 });
    expect(p.waitMs(1, 0)).toBe(0);
    p.take(1, 0);
    expect(p.waitMs(2, 0)).toBe(100); // global
    expect(p.waitMs(1, 0)).toBe(1000); // chat
    expect(p.chatWaitMs(2, 0)).toBe(0);
    expect(p.chatWaitMs(1, 0)).toBe(1000);
    p.take(2, 100);
    expect(p.waitMs(3, 150)).toBe(50);
  });

  it('paces groups (negative ids) at ~20 a minute', () => {
    const p = new Pacer(0);
    let t = 0;
    let sent = 0;
    while (t < 60_000) {
      const w = p.waitMs(-100, t);
      if (w === 0) {
        p.take(-100, t);
        sent += 1;
      } else t += w;
    }
    expect(sent).toBeLessThanOrEqual(20);
    expect(sent).toBeGreaterThanOrEqual(18);
  });

  it('keeps a chat paused after a 429', () => {
    const p = new Pacer(0);
    p.pauseChat(7, 3_000, 0);
    expect(p.chatWaitMs(7, 0)).toBe(3_000);
    expect(p.waitMs(8, 0)).toBe(0);
  });

  it('default limits: a sliding second never sees more than 30 sends overall, nor more than 3 to one chat', () => {
    const p = new Pacer(0);
    const times: number[] = [];
    const perChat = new Map<number, number[]>();
    let t = 0;
    for (let i = 0; i < 600; i++) {
      const chat = i % 50;
      let w: number;
      while ((w = p.waitMs(chat, t)) > 0) t += w;
      p.take(chat, t);
      times.push(t);
      perChat.set(chat, [...(perChat.get(chat) ?? []), t]);
    }
    for (const x of times) expect(times.filter((y) => y > x - 1000 && y <= x).length).toBeLessThanOrEqual(30);
    for (const ts of perChat.values()) for (const x of ts) expect(ts.filter((y) => y > x - 1000 && y <= x).length).toBeLessThanOrEqual(3);
    expect(600 / (times.at(-1)! / 1000)).toBeGreaterThan(25);
  });
});
