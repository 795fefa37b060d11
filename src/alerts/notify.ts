// Decides, at enqueue time, who gets an alert and how (per-owner preferences), and queues it in the
// outbox with the caller's transaction so the alert commits or rolls back with the change it reports.
import type { RawHtml } from '../bot/html.js';
import type { DbClient } from '../store/client.js';
import { fromDbId } from '../store/ids.js';
import { OutboxRepository, type OutboxAlert } from '../store/outbox.js';
import { AlertPreferencesRepository, deliveryFor } from './preferences.js';
import type { AlertType } from './types.js';

export interface Alert {
  kind: AlertType;
  /** Telegram HTML: the result of the `html` template, or a string that is already escaped. */
  text: RawHtml | string;
  /** Quiet by nature (the recipient's preference can only make it quieter). */
  silent?: boolean;
  botId?: number | null;
  /** Makes the alert idempotent; the recipient's chat id is appended per recipient. */
  dedupeKey?: string | null;
  /** When it happened (injected clock); the database's now() if omitted. */
  at?: Date;
}

export interface NotifyResult {
  /** Chats that got a new outbox row. */
  queued: number[];
  /** Chats whose row already existed (same dedupeKey). */
  duplicates: number[];
  /** Owners who turned this type off. */
  muted: number[];
}

/** Ids of every owner (a private chat's id is the user's id). */
export async function ownerIds(db: DbClient): Promise<number[]> {
  const rows = await db.user.findMany({ where: { role: 'owner' }, select: { telegramId: true }, orderBy: { telegramId: 'asc' } });
  return rows.map((r) => fromDbId(r.telegramId));
}

/**
 * Queues `alert` to every owner, honouring each owner's preference for its type. Pass the `tx` of the
 * transaction that made the change; after it commits, wake the sender (`AlertSender.wake()`).
 */
export async function alertOwners(db: DbClient, alert: Alert): Promise<NotifyResult> {
  return alertUsers(db, await ownerIds(db), alert);
}

/** Queues `alert` to each listed user's private chat, honouring their preferences. */
export async function alertUsers(db: DbClient, userIds: readonly number[], alert: Alert): Promise<NotifyResult> {
  const result: NotifyResult = { queued: [], duplicates: [], muted: [] };
  const prefs = await new AlertPreferencesRepository(db).getMany(userIds);
  const outbox = new OutboxRepository(db);
  for (const userId of userIds) {
    const mode = prefs.get(userId)?.[alert.kind] ?? 'on';
    const delivery = deliveryFor(mode, alert.silent ?? false);
    if (!delivery.send) {
      result.muted.push(userId);
      continue;
    }
    const row: OutboxAlert = {
      chatId: userId,
      kind: alert.kind,
      text: typeof alert.text === 'string' ? alert.text : alert.text.value,
      silent: delivery.silent,
      botId: alert.botId ?? null,
      dedupeKey: alert.dedupeKey ? `${alert.dedupeKey}@${userId}` : null,
      ...(alert.at ? { at: alert.at } : {}),
    };
    (await outbox.enqueue(row) ? result.queued : result.duplicates).push(userId);
  }
  return result;
}
