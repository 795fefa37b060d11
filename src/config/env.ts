import { z } from 'zod';
import { Secret } from '../lib/secret.js';

/** Exchanges the live adapter is tested against; paper trading works with any of their markets snapshots. */
export const SUPPORTED_EXCHANGES = ['binance'] as const;

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

const secretText = optionalText.transform((s) => (s === undefined ? undefined : new Secret(s)));

const url = (what: string) =>
  optionalText.refine((s) => s === undefined || /^https?:\/\/[^\s/]+/.test(s), { message: `must be an http(s) URL (${what})` });

const port = optionalText.transform((s, ctx) => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    ctx.addIssue({ code: 'custom', message: 'must be a port number from 0 to 65535' });
    return z.NEVER;
  }
  return n;
});

const userIds = optionalText.transform((s, ctx) => {
  if (s === undefined) return [] as number[];
  const ids: number[] = [];
  for (const part of s.split(/[\s,]+/).filter(Boolean)) {
    if (!/^\d{1,15}$/.test(part)) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a Telegram user id; expected numeric ids separated by commas, e.g. 12345678,87654321` });
      return z.NEVER;
    }
    ids.push(Number(part));
  }
  return ids;
});

export const envSchema = z
  .object({
    TELEGRAM_BOT_TOKEN: optionalText
      .refine((s) => s === undefined || /^\d+:[A-Za-z0-9_-]{20,}$/.test(s), {
        message: 'does not look like a bot token; expected the form 123456789:AA... given by @BotFather',
      })
      .transform((s) => (s === undefined ? undefined : new Secret(s))),
    TELEGRAM_API_ROOT: url('e.g. http://127.0.0.1:8081 for a local Bot API server'),
    ALLOWED_USER_IDS: userIds,
    DATABASE_URL: optionalText
      .default('pglite:./data/db')
      .refine((s) => s !== undefined && /^(pglite:.+|postgres(ql)?:\/\/.+)$/.test(s), {
        message: 'must be pglite:<directory> (embedded, the default pglite:./data/db) or postgresql://user@host:port/db',
      })
      .transform((s) => s!),
    REDIS_URL: optionalText.refine((s) => s === undefined || /^rediss?:\/\/.+/.test(s), {
      message: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
    }),
    EXCHANGE: optionalText
      .default('binance')
      .refine((s) => (SUPPORTED_EXCHANGES as readonly string[]).includes(s ?? ''), {
        message: `is not supported; expected one of: ${SUPPORTED_EXCHANGES.join(', ')}`,
      })
      .transform((s) => s as (typeof SUPPORTED_EXCHANGES)[number]),
    EXCHANGE_API_KEY: secretText,
    EXCHANGE_API_SECRET: secretText,
    EXCHANGE_API_URL: url('the exchange REST base address, e.g. a testnet or an emulator'),
    TRADING_MODE: optionalText
      .default('paper')
      .refine((s) => s === 'paper' || s === 'live', { message: 'must be paper or live' })
      .transform((s) => s as 'paper' | 'live'),
    MARKET_DATA_DIR: optionalText,
    HTTP_PORT: port,
    LOG_LEVEL: optionalText
      .default('info')
      .refine((s) => ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(s ?? ''), {
        message: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .transform((s) => s as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'),
    WEBHOOK_URL: optionalText.refine((s) => s === undefined || /^https:\/\/[^\s/]+/.test(s), {
      message: 'must be an https:// URL that Telegram can reach, e.g. https://bot.example.com/telegram',
    }),
    WEBHOOK_PORT: port,
    CONFIG_FILE: optionalText.default('configs/default.yaml').transform((s) => s!),
  })
  .superRefine((env, ctx) => {
    if (env.TRADING_MODE === 'live' && (!env.EXCHANGE_API_KEY || !env.EXCHANGE_API_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRADING_MODE'],
        message: 'is live but EXCHANGE_API_KEY and EXCHANGE_API_SECRET are not both set; set them or use TRADING_MODE=paper',
      });
    }
    if (Boolean(env.EXCHANGE_API_KEY) !== Boolean(env.EXCHANGE_API_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.EXCHANGE_API_KEY ? 'EXCHANGE_API_SECRET' : 'EXCHANGE_API_KEY'],
        message: 'is missing; the exchange key and secret go together',
      });
    }
    if (env.WEBHOOK_PORT !== undefined && !env.WEBHOOK_URL) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'is required when WEBHOOK_PORT is set (webhook mode)' });
    }
  });

export type Env = z.output<typeof envSchema>;

/** The variables this app reads, for `envSchema.parse(pickEnv(process.env))`. */
export function pickEnv(source: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const keys = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];
  return Object.fromEntries(keys.map((k) => [k, source[k]]));
}
