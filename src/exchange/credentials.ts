import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { Secret } from '../lib/secret.js';

/**
 * An exchange API key pair. Both halves are `Secret`s, and the pair itself prints as redacted, so a
 * stray `log.info({ creds })`, `String(creds)` or `JSON.stringify(creds)` shows nothing usable.
 * Only the ccxt client reveals them, when it builds the exchange instance.
 */
export class ApiCredentials {
  constructor(
    readonly apiKey: Secret,
    readonly secret: Secret,
  ) {}

  static of(apiKey: string, secret: string): ApiCredentials {
    return new ApiCredentials(new Secret(apiKey), new Secret(secret));
  }

  /** Keys from the environment (EXCHANGE_API_KEY / EXCHANGE_API_SECRET), or null when either is missing. */
  static fromEnv(env: Record<string, string | undefined>): ApiCredentials | null {
    const key = env.EXCHANGE_API_KEY?.trim();
    const secret = env.EXCHANGE_API_SECRET?.trim();
    return key && secret ? ApiCredentials.of(key, secret) : null;
  }

  /** A short, non-reversible label of the account (request-budget keys, logs): a hash of the API key. */
  fingerprint(): string {
    return createHash('sha256').update(this.apiKey.reveal()).digest('hex').slice(0, 12);
  }

  toString(): string {
    return '[credentials redacted]';
  }
  toJSON(): string {
    return '[credentials redacted]';
  }
  [inspect.custom](): string {
    return '[credentials redacted]';
  }
}
