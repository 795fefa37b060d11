import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a secret (exchange key, bot token) so that it cannot reach a log, a reply or an error by
 * accident: String(), JSON.stringify() and util.inspect() all print "[redacted]". Only `reveal()`
 * gives the value, and only the code that talks to Telegram or the exchange calls it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Replaces every occurrence of the given secret values (and of bot-token-shaped strings) in a text.
 * Used on log lines and on error messages before they are shown to anyone.
 */
export function scrubSecrets(text: string, secrets: readonly (Secret | string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s instanceof Secret ? s.reveal() : s;
    if (v && v.length >= 6) out = out.split(v).join(REDACTED);
  }
  // Telegram bot tokens look like 123456789:AA...; never print one, known or not.
  return out.replace(/(?<![0-9])\d{5,12}:[A-Za-z0-9_-]{30,}/g, REDACTED);
}
