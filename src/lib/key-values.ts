/**
 * Splits command tokens into bare words and key=value pairs: `grid BTC/USDT lines=30` gives
 * words [grid, BTC/USDT] and { lines: '30' }. Keys are lower case letters, digits and underscores;
 * an empty value or a key given twice is refused with one sentence (without its full stop), made
 * into the caller's error by `fail`.
 */
export interface KeyValues {
  words: string[];
  pairs: Record<string, string>;
}

export function splitKeyValues(tokens: readonly string[], fail: (sentence: string) => Error): KeyValues {
  const words: string[] = [];
  const pairs: Record<string, string> = {};
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq < 0) {
      words.push(token);
      continue;
    }
    const key = token.slice(0, eq).toLowerCase();
    const value = token.slice(eq + 1);
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) throw fail(`"${token.slice(0, 40)}" is not a setting; write key=value, e.g. lines=30`);
    if (value === '') throw fail(`${key}= needs a value, e.g. ${key}=10`);
    if (Object.prototype.hasOwnProperty.call(pairs, key)) throw fail(`${key} is given twice; give it once`);
    pairs[key] = value;
  }
  return { words, pairs };
}
