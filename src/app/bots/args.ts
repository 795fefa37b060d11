import { splitKeyValues, type KeyValues } from '../../lib/key-values.js';
import { UserInputError } from '../errors.js';

export type ParsedArgs = KeyValues;

/** Splits `grid BTC/USDT my-preset lines=30 lower=50000` into bare words and key=value pairs (see lib/key-values.ts). */
export function parseArgs(text: string, maxLength = 500): ParsedArgs {
  if (text.length > maxLength) throw new UserInputError(`That is too long (${text.length} characters); keep commands under ${maxLength}.`);
  return splitKeyValues(text.split(/\s+/).filter(Boolean), (sentence) => new UserInputError(`${sentence}.`));
}

/** Parses a bot id like `3` or `#3`. */
export function parseBotId(word: string | undefined, usage: string): number {
  if (word === undefined) throw new UserInputError(`Which bot? ${usage}`);
  const m = /^#?(\d{1,9})$/.exec(word);
  if (!m) throw new UserInputError(`"${word.slice(0, 20)}" is not a bot id; ids are numbers as shown by /bots. ${usage}`);
  return Number(m[1]);
}
