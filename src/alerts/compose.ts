// Turns the due outbox rows of one chat into the messages to send: bursts are merged into one message
// (a list, then "… and N more"), long alerts go alone, and nothing exceeds Telegram's 4096 characters.
import { escapeHtml } from '../bot/html.js';
import { splitHtml, TELEGRAM_TEXT_LIMIT } from '../bot/split.js';
import type { OutboxRow } from '../store/outbox.js';
import { isChatLevelRefusal, permanentCount } from './failures.js';

export interface OutgoingMessage {
  chatId: number;
  /** The outbox rows this message delivers, oldest first. */
  rowIds: number[];
  /** One part normally; several only for a single alert longer than Telegram's limit. */
  parts: string[];
  silent: boolean;
  /** Telegram's refusals (400/403) in a row so far, the most of any of its rows. */
  refusals: number;
  /** Rows without sendingAt before this attempt (the others were interrupted earlier and stay marked). */
  freshRowIds: number[];
}

export interface ComposeOptions {
  /** Merge consecutive due alerts of a chat into one message (default true). */
  merge: boolean;
  /** Alerts listed in full in a merged message; the rest are counted by type (default 20). */
  mergeMaxItems: number;
  /** Longer alerts (daily summaries, reports) are never merged (default 600 characters of markup). */
  mergeItemMaxChars: number;
  /** Add "(delayed N min)" to alerts older than this when sent (default 2 minutes). */
  delayNoteAfterMs: number;
}

export const DEFAULT_COMPOSE_OPTIONS: ComposeOptions = {
  merge: true,
  mergeMaxItems: 20,
  mergeItemMaxChars: 600,
  delayNoteAfterMs: 120_000,
};

/** Added to an alert whose earlier send was interrupted (the process stopped, or the connection broke mid-request). */
export const REPEATED_NOTE = '<i>(repeated: an earlier send was interrupted, so you may have seen this already)</i>';

const mergeable = (row: OutboxRow, o: ComposeOptions): boolean =>
  o.merge &&
  row.text.length <= o.mergeItemMaxChars &&
  // A row Telegram refused as a message (bad markup ...) goes alone, so one bad alert cannot get a
  // whole burst parked; a chat-wide refusal (blocked ...) would hit each alone just the same.
  (permanentCount(row.lastError) === 0 || isChatLevelRefusal(row.lastError));

function delayNote(rows: readonly OutboxRow[], now: number, o: ComposeOptions): string {
  const oldest = Math.min(...rows.map((r) => r.createdAt.getTime()));
  const delay = now - oldest;
  if (delay < o.delayNoteAfterMs) return '';
  const minutes = Math.round(delay / 60_000);
  const span = minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return ` <i>(delayed ${span})</i>`;
}

function single(row: OutboxRow, now: number, o: ComposeOptions): OutgoingMessage {
  const notes = [row.sendingAt ? REPEATED_NOTE : '', delayNote([row], now, o).trim()].filter((n) => n !== '');
  const text = notes.length > 0 ? `${row.text}\n${notes.join(' ')}` : row.text;
  return {
    chatId: row.chatId,
    rowIds: [row.id],
    parts: splitHtml(text, TELEGRAM_TEXT_LIMIT),
    silent: row.silent,
    refusals: permanentCount(row.lastError),
    freshRowIds: row.sendingAt ? [] : [row.id],
  };
}

function kindSummary(rows: readonly OutboxRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${escapeHtml(kind)}`).join(', ');
}

function merged(rows: readonly OutboxRow[], now: number, o: ComposeOptions): OutgoingMessage {
  const first = rows[0]!;
  const kinds = new Set(rows.map((r) => r.kind));
  const what = kinds.size === 1 ? `${escapeHtml(first.kind)} alerts` : 'alerts';
  const header = `<b>${rows.length} ${what}</b>${delayNote(rows, now, o)}`;
  // Room for the "… and N more" line, whatever N and the types are.
  const reserve = 64 + [...kinds].reduce((n, k) => n + k.length + 12, 0);
  const lines = [header];
  let length = header.length;
  let shown = 0;
  for (const row of rows) {
    if (shown >= o.mergeMaxItems) break;
    const line = `• ${row.text}${row.sendingAt ? ' <i>(repeated)</i>' : ''}`;
    if (length + 1 + line.length + reserve > TELEGRAM_TEXT_LIMIT) break;
    lines.push(line);
    length += 1 + line.length;
    shown += 1;
  }
  const rest = rows.slice(shown);
  if (rest.length > 0) lines.push(`<i>… and ${rest.length} more: ${kindSummary(rest)}</i>`);
  if (rows.some((r) => r.sendingAt)) lines.push(REPEATED_NOTE);
  return {
    chatId: first.chatId,
    rowIds: rows.map((r) => r.id),
    parts: splitHtml(lines.join('\n'), TELEGRAM_TEXT_LIMIT),
    silent: rows.every((r) => r.silent),
    refusals: Math.max(...rows.map((r) => permanentCount(r.lastError))),
    freshRowIds: rows.filter((r) => !r.sendingAt).map((r) => r.id),
  };
}

/**
 * The messages for one chat's due rows (oldest first), in order: each run of consecutive mergeable rows
 * becomes one message (a run of one is sent as it is); an unmergeable row is a message of its own.
 */
export function composeChat(rows: readonly OutboxRow[], now: number, options: Partial<ComposeOptions> = {}): OutgoingMessage[] {
  const o = { ...DEFAULT_COMPOSE_OPTIONS, ...options };
  const out: OutgoingMessage[] = [];
  let run: OutboxRow[] = [];
  const flush = (): void => {
    if (run.length === 1) out.push(single(run[0]!, now, o));
    else if (run.length > 1) out.push(merged(run, now, o));
    run = [];
  };
  for (const row of rows) {
    if (mergeable(row, o)) {
      run.push(row);
    } else {
      flush();
      out.push(single(row, now, o));
    }
  }
  flush();
  return out;
}

/** Groups rows by chat, keeping each chat's order and the order in which chats first appear. */
export function byChat(rows: readonly OutboxRow[]): Map<number, OutboxRow[]> {
  const chats = new Map<number, OutboxRow[]>();
  for (const r of rows) {
    const list = chats.get(r.chatId);
    if (list) list.push(r);
    else chats.set(r.chatId, [r]);
  }
  return chats;
}
