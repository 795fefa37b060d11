import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { appConfigSchema, type AppConfig } from './app-config.js';
import { envSchema, pickEnv, type Env } from './env.js';
import { ConfigError, formatConfigIssue } from './errors.js';

export interface Config {
  env: Env;
  app: AppConfig;
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const input = pickEnv(source);
  const r = envSchema.safeParse(input);
  if (!r.success) throw new ConfigError(formatConfigIssue(r.error, input, 'setting'));
  return r.data;
}

export function parseAppConfig(yamlText: string, file: string): AppConfig {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText) ?? {};
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`Invalid config file ${file}: not valid YAML (${why}).`);
  }
  const r = appConfigSchema.safeParse(doc);
  if (!r.success) throw new ConfigError(formatConfigIssue(r.error, doc, `config ${file}:`).replace(': ', ' '));
  return r.data;
}

/** Reads the environment and the config file once; throws ConfigError with one line on bad input. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = parseEnv(source);
  let text: string;
  try {
    text = readFileSync(env.CONFIG_FILE, 'utf8');
  } catch {
    throw new ConfigError(`Invalid setting CONFIG_FILE="${env.CONFIG_FILE}": the file cannot be read; expected a YAML file such as configs/default.yaml.`);
  }
  return { env, app: parseAppConfig(text, env.CONFIG_FILE) };
}

/** A printable view of the configuration with every secret redacted (for /status and the start-up log). */
export function describeConfig(cfg: Config): Record<string, unknown> {
  const e = cfg.env;
  return {
    TELEGRAM_BOT_TOKEN: e.TELEGRAM_BOT_TOKEN ? '[redacted]' : '(not set)',
    TELEGRAM_API_ROOT: e.TELEGRAM_API_ROOT ?? '(Telegram)',
    ALLOWED_USER_IDS: e.ALLOWED_USER_IDS.length ? e.ALLOWED_USER_IDS.join(',') : '(none)',
    DATABASE_URL: redactUrl(e.DATABASE_URL),
    REDIS_URL: e.REDIS_URL ? redactUrl(e.REDIS_URL) : '(not set)',
    EXCHANGE: e.EXCHANGE,
    EXCHANGE_API_KEY: e.EXCHANGE_API_KEY ? '[redacted]' : '(not set)',
    EXCHANGE_API_SECRET: e.EXCHANGE_API_SECRET ? '[redacted]' : '(not set)',
    EXCHANGE_API_URL: e.EXCHANGE_API_URL ?? '(exchange default)',
    TRADING_MODE: e.TRADING_MODE,
    MARKET_DATA_DIR: e.MARKET_DATA_DIR ?? '(not set)',
    HTTP_PORT: e.HTTP_PORT ?? '(off)',
    LOG_LEVEL: e.LOG_LEVEL,
    WEBHOOK_URL: e.WEBHOOK_URL ?? '(long polling)',
    CONFIG_FILE: e.CONFIG_FILE,
    timezone: cfg.app.timezone,
  };
}

/** Removes a password from a connection URL. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, '$1:[redacted]@');
}
