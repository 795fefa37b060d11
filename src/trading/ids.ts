/**
 * Deterministic client order ids (DESIGN rule 4): derived from the installation, the bot and the
 * engine's intent sequence number, e.g. `tk3f9a-12-57`. Written to the database before the order is
 * sent; after a timeout or a crash the order is looked up by it, never blindly resent.
 * Binance accepts [a-zA-Z0-9-_]{1,36}.
 */
export function clientOrderId(prefix: string, botId: number, seq: number): string {
  return `${prefix}-${botId}-${seq}`;
}

/** Parsed ids, remembered: a thousand bots of one symbol each look at the same trades every tick. */
const parsed = new Map<string, { prefix: string; botId: number; seq: number } | null>();

export function parseClientOrderId(prefix: string, id: string): { botId: number; seq: number } | null {
  let p = parsed.get(id);
  if (p === undefined) {
    const m = /^(.+)-(\d+)-(\d+)$/.exec(id);
    p = m ? { prefix: m[1]!, botId: Number(m[2]), seq: Number(m[3]) } : null;
    if (parsed.size >= 100_000) parsed.clear();
    parsed.set(id, p);
  }
  return p && p.prefix === prefix ? { botId: p.botId, seq: p.seq } : null;
}

/** A short installation prefix from random bytes (kept in the settings table once made). */
export function newInstallationPrefix(random: () => number): string {
  let s = 't';
  for (let i = 0; i < 5; i++) s += Math.floor(random() * 36).toString(36);
  return s;
}
