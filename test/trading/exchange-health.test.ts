import { describe, expect, it } from 'vitest';
import { ExchangeError, type ExchangePort } from '../../src/exchange/types.js';
import { ManualClock } from '../../src/lib/clock.js';
import { ExchangeHealth, watchedExchange } from '../../src/trading/exchange-health.js';

function fakePort(fail: () => boolean): ExchangePort {
  return {
    id: 'x',
    mode: 'paper',
    fetchTicker: async (symbol: string) => {
      if (fail()) throw new ExchangeError('retryable', 'network', 'connection refused');
      return { symbol, bid: 1, ask: 1, last: 1, timestamp: 0 };
    },
  } as unknown as ExchangePort;
}

describe('exchange health', () => {
  it('alerts once when the exchange is down longer than the limit, and once when it is back', async () => {
    const clock = new ManualClock(0);
    const health = new ExchangeHealth(clock, 5 * 60_000);
    let down = true;
    const port = watchedExchange(fakePort(() => down), health);
    const changes: string[] = [];
    for (let m = 0; m < 10; m++) {
      await port.fetchTicker('BTC/USDT').catch(() => undefined);
      const c = health.check();
      if (c) changes.push(`${c.kind}@${m}:${c.minutes}`);
      clock.advance(60_000);
    }
    down = false;
    await port.fetchTicker('BTC/USDT');
    const back = health.check();
    expect(changes).toEqual(['down@5:5']);
    expect(back?.kind).toBe('back');
    expect(health.check()).toBeNull();
  });

  it('a short blip or a rejection raises nothing', async () => {
    const clock = new ManualClock(0);
    const health = new ExchangeHealth(clock, 5 * 60_000);
    health.failed(new ExchangeError('retryable', 'timeout', 't'));
    clock.advance(60_000);
    health.ok();
    clock.advance(10 * 60_000);
    expect(health.check()).toBeNull();
    health.failed(new ExchangeError('rejected', 'insufficient_funds', 'no money'));
    clock.advance(10 * 60_000);
    expect(health.check()).toBeNull();
  });
});
