import { UserInputError } from '../errors.js';

export interface ParsedArgs {
  words: string[];
  pairs: Record<string, string>;
}

/**
 * Splits `grid BTC/USDT my-preset lines=30 lower=50000` into bare words and key=value pairs.
 * Keys are lower case letters, digits and underscores; a key given twice is refused.
 */
export function parseArgs(text: string, maxLength = 500): ParsedArgs {
  if (text.length > maxLength) throw new UserInputError(`That is too long (${text.length} characters); keep commands under ${maxLength}.`);
  const words: string[] = [];
  const pairs: Record<string, string> = {};
  for (const token of text.split(/\s+/).filter(Boolean)) {
    const eq = token.indexOf('=');
    if (eq < 0) {
      words.push(token);
      continue;
    }
    const key = token.slice(0, eq).toLowerCase();
    const value = token.slice(eq + 1);
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) throw new UserInputError(`"${token.slice(0, 40)}" is not a setting; write key=value, e.g. lines=30.`);
    if (value === '') throw new UserInputError(`${key}= needs a value, e.g. ${key}=10.`);
    if (Object.prototype.hasOwnProperty.call(pairs, key)) throw new UserInputError(`${key} is given twice; give it once.`);
    pairs[key] = value;
  }
  return { words, pairs };
}

/** Parses a bot id like `3` or `#3`. */
export function parseBotId(word: string | undefined, usage: string): number {
  if (word === undefined) throw new UserInputError(`Which bot? ${usage}`);
  const m = /^#?(\d{1,9})$/.exec(word);
  if (!m) throw new UserInputError(`"${word.slice(0, 20)}" is not a bot id; ids are numbers as shown by /bots. ${usage}`);
  return Number(m[1]);
}
