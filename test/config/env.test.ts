import { describe, expect, it } from 'vitest';
import { parseAppConfig, parseEnv, describeConfig, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';

const TOKEN = '123456789:AAHfakeTokenFAKEtoken_fake-1234567890';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('environment', () => {
  it('applies the documented defaults', () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBe('pglite:./data/db');
    expect(env.EXCHANGE).toBe('binance');
    expect(env.TRADING_MODE).toBe('paper');
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.ALLOWED_USER_IDS).toEqual([]);
    expect(env.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('parses allowed user ids separated by commas or spaces', () => {
    expect(parseEnv({ ALLOWED_USER_IDS: '12345, 678 90' }).ALLOWED_USER_IDS).toEqual([12345, 678, 90]);
  });

  it('names the key, the value and the expected form in one line', () => {
    const msg = errorOf(() => parseEnv({ ALLOWED_USER_IDS: '123,abc' }));
    expect(msg).toContain('ALLOWED_USER_IDS');
    expect(msg).toContain('"abc" is not a Telegram user id');
    expect(msg).not.toContain('\n');
    expect(errorOf(() => parseEnv({ LOG_LEVEL: 'loud' }))).toMatch(/LOG_LEVEL="loud": must be one of/);
    expect(errorOf(() => parseEnv({ DATABASE_URL: 'mysql://x' }))).toMatch(/DATABASE_URL="mysql:\/\/x": must be pglite:/);
    expect(errorOf(() => parseEnv({ HTTP_PORT: '99999' }))).toMatch(/HTTP_PORT="99999": must be a port number/);
    expect(errorOf(() => parseEnv({ EXCHANGE: 'mtgox' }))).toMatch(/EXCHANGE="mtgox": is not supported/);
  });

  it('checks fields against each other', () => {
    expect(errorOf(() => parseEnv({ TRADING_MODE: 'live' }))).toMatch(/TRADING_MODE="live": is live but EXCHANGE_API_KEY/);
    expect(errorOf(() => parseEnv({ EXCHANGE_API_KEY: 'abcdefgh' }))).toMatch(/EXCHANGE_API_SECRET=missing/);
    expect(errorOf(() => parseEnv({ WEBHOOK_PORT: '8443' }))).toMatch(/WEBHOOK_URL=missing: is required/);
  });

  it('never echoes a secret, even an invalid one', () => {
    const bad = 'not-a-token-but-secret-material';
    const msg = errorOf(() => parseEnv({ TELEGRAM_BOT_TOKEN: bad }));
    expect(msg).toContain('TELEGRAM_BOT_TOKEN=[redacted]');
    expect(msg).not.toContain(bad);
  });

  it('keeps secrets out of printouts', () => {
    const cfg = {
      env: parseEnv({ TELEGRAM_BOT_TOKEN: TOKEN, EXCHANGE_API_KEY: 'key-material-123', EXCHANGE_API_SECRET: 'secret-material-456', DATABASE_URL: 'postgresql://u:pw@h:5432/db' }),
      app: parseAppConfig('', 'x.yaml'),
    };
    const printed = JSON.stringify(describeConfig(cfg));
    for (const s of [TOKEN, 'key-material-123', 'secret-material-456', ':pw@']) expect(printed).not.toContain(s);
    expect(printed).toContain('postgresql://u:[redacted]@h:5432/db');
    // The parsed keys themselves are Secret holders: serialising the env by mistake leaks nothing either.
    const accidental = JSON.stringify(cfg.env) + String(cfg.env.TELEGRAM_BOT_TOKEN);
    for (const s of [TOKEN, 'key-material-123', 'secret-material-456']) expect(accidental).not.toContain(s);
    expect(cfg.env.TELEGRAM_BOT_TOKEN?.reveal()).toBe(TOKEN);
  });
});

describe('config file', () => {
  it('an empty file gives every default', () => {
    const c = parseAppConfig('', 'x.yaml');
    expect(c.timezone).toBe('UTC');
    expect(c.paper.balances).toEqual({ USDT: 10_000 });
    expect(c.trading.tickSeconds).toBe(5);
  });

  it('the shipped configs/default.yaml is valid', () => {
    const c = loadConfig({ CONFIG_FILE: 'configs/default.yaml' });
    expect(c.app.risk.dailyLossLimit).toBeGreaterThan(0);
  });

  it('refuses unknown keys, bad values and bad YAML with one line', () => {
    expect(errorOf(() => parseAppConfig('tradng:\n  tickSeconds: 5\n', 'c.yaml'))).toMatch(/unknown key tradng/);
    expect(errorOf(() => parseAppConfig('trading:\n  tickSecond: 5\n', 'c.yaml'))).toMatch(/unknown key trading\.tickSecond/);
    expect(errorOf(() => parseAppConfig('timezone: Mars/Olympus\n', 'c.yaml'))).toMatch(/timezone="Mars\/Olympus": is not a known time zone/);
    expect(errorOf(() => parseAppConfig('trading:\n  tickSeconds: 0\n', 'c.yaml'))).toMatch(/trading\.tickSeconds=0/);
    expect(errorOf(() => parseAppConfig('a: [1,\n', 'c.yaml'))).toMatch(/not valid YAML/);
    expect(errorOf(() => loadConfig({ CONFIG_FILE: 'configs/nope.yaml' }))).toMatch(/CONFIG_FILE="configs\/nope.yaml": the file cannot be read/);
  });
});
