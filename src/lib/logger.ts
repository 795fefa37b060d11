import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { scrubSecrets, type Secret } from './secret.js';

export type { Logger };

/** Field names whose values never reach a log line, wherever they sit (pino redact paths). */
const REDACT_PATHS = [
  'token',
  'apiKey',
  'secret',
  'password',
  'authorization',
  '*.token',
  '*.apiKey',
  '*.secret',
  '*.password',
  '*.authorization',
  'headers["x-mbx-apikey"]',
  '*.headers["x-mbx-apikey"]',
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Secret values to scrub from every line, whatever field they hide in. */
  secrets?: readonly (Secret | undefined)[];
  destination?: DestinationStream;
}

/**
 * Structured JSON logs (pino) with secrets removed twice: by field name (redact) and by value
 * (every serialized line is scrubbed of the configured secrets and of anything shaped like a bot token).
 */
export function createLogger(opts: LoggerOptions): Logger {
  const secrets = (opts.secrets ?? []).filter((s): s is Secret => s !== undefined);
  const dest: DestinationStream = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const scrubbing: DestinationStream = {
    write(line: string) {
      dest.write(scrubSecrets(line, secrets));
    },
  };
  return pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined }, scrubbing);
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
