// Button confirmations for risky actions (DESIGN rule 8): single-use, expiring, bound to the user, the
// chat and the exact action (a hash of action + payload that is checked again when the button is pressed).
import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import type { DbClient } from '../store/client.js';
import { ConfirmationRepository, type JsonValue } from '../store/confirmations.js';
import { confirmChoiceSchema, confirmData, confirmIdSchema, CONFIRM_ID_BYTES, parseConfirmData, type ConfirmChoice } from './callback-data.js';
import { actionHash, sameHash, toPlainJson } from './hash.js';

export type RefusalReason = 'expired' | 'used' | 'foreign' | 'unknown' | 'cancelled' | 'tampered';

/** One clear sentence per refusal, for the toast or the edited message. */
export const REFUSAL_MESSAGES: Readonly<Record<RefusalReason, string>> = {
  expired: 'This confirmation has expired; run the command again.',
  used: 'This button was already used.',
  foreign: 'This button belongs to someone else.',
  unknown: 'This button is not valid (any more); run the command again.',
  cancelled: 'Cancelled; nothing was changed.',
  tampered: 'This confirmation does not match the action it was made for, so nothing was done; run the command again.',
};

export type ConsumeResult =
  | { ok: true; id: string; action: string; payload: JsonValue }
  | { ok: false; reason: RefusalReason; message: string };

export interface CreateConfirmation {
  userId: number;
  chatId: number;
  /** What will be done, e.g. 'stop_all', 'mode:live', 'limits:raise'. */
  action: string;
  /** Exactly what will be done (JSON): returned by consume() as stored, after the hash check. */
  payload: unknown;
  ttlMs: number;
}

export interface CreatedConfirmation {
  id: string;
  /** Callback data of the confirm button (`cf:<id>:y`). */
  confirmData: string;
  /** Callback data of the cancel button (`cf:<id>:n`). */
  cancelData: string;
  expiresAt: Date;
}

export interface ConsumeInput {
  id: unknown;
  userId: number;
  chatId: number;
  choice: unknown;
}

export interface ConfirmationServiceDeps {
  clock: Clock;
  /** Cryptographically random bytes (node:crypto randomBytes in production). */
  randomBytes: (n: number) => Uint8Array;
}

export const MAX_CONFIRMATION_TTL_MS = 24 * 3_600_000;

const createSchema = z.object({
  userId: z.number().int().refine(Number.isSafeInteger),
  chatId: z.number().int().refine(Number.isSafeInteger),
  action: z.string().min(1).max(200),
  ttlMs: z.number().int().positive().max(MAX_CONFIRMATION_TTL_MS),
});

const consumeSchema = z.object({
  id: confirmIdSchema,
  userId: z.number().int().refine(Number.isSafeInteger),
  chatId: z.number().int().refine(Number.isSafeInteger),
  choice: confirmChoiceSchema,
});

const refuse = (reason: RefusalReason): ConsumeResult => ({ ok: false, reason, message: REFUSAL_MESSAGES[reason] });

export class ConfirmationService {
  private readonly repo: ConfirmationRepository;

  /** `db` may be a transaction's `tx`. */
  constructor(
    db: DbClient,
    private readonly deps: ConfirmationServiceDeps,
  ) {
    this.repo = new ConfirmationRepository(db);
  }

  async create(input: CreateConfirmation): Promise<CreatedConfirmation> {
    const c = createSchema.parse(input);
    const payload = toPlainJson(input.payload);
    const bytes = this.deps.randomBytes(CONFIRM_ID_BYTES);
    if (bytes.length < CONFIRM_ID_BYTES) throw new RangeError(`randomBytes gave ${bytes.length} bytes, ${CONFIRM_ID_BYTES} needed`);
    const id = Buffer.from(bytes.subarray(0, CONFIRM_ID_BYTES)).toString('base64url');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now + c.ttlMs);
    await this.repo.create({
      id,
      userId: c.userId,
      chatId: c.chatId,
      action: c.action,
      payload,
      hash: actionHash(c.action, payload, c.userId, c.chatId),
      createdAt: new Date(now),
      expiresAt,
    });
    return { id, confirmData: confirmData(id, 'y'), cancelData: confirmData(id, 'n'), expiresAt };
  }

  /**
   * A press of the confirm (y) or cancel (n) button. At most one press of a confirmation ever gets
   * `ok: true`; anything malformed is 'unknown'; a press by another user is refused without using it up.
   */
  async consume(input: ConsumeInput): Promise<ConsumeResult> {
    const parsed = consumeSchema.safeParse(input);
    if (!parsed.success) return refuse('unknown');
    const { id, userId, chatId, choice } = parsed.data;
    const now = new Date(this.deps.clock.now());
    const claimed = await this.repo.claim({ id, userId, chatId, now, result: choice === 'y' ? 'confirmed' : 'cancelled' });
    if (!claimed) return refuse(await this.whyNot(id, userId, chatId, now));
    if (choice === 'n') return refuse('cancelled');
    if (!sameHash(actionHash(claimed.action, claimed.payload, userId, chatId), claimed.hash)) {
      await this.repo.setResult(id, 'tampered');
      return refuse('tampered');
    }
    return { ok: true, id, action: claimed.action, payload: claimed.payload };
  }

  /** The same, from the button's whole callback data (`cf:<id>:<y|n>`). */
  async consumeData(input: { data: unknown; userId: number; chatId: number }): Promise<ConsumeResult> {
    const parsed = parseConfirmData(input.data);
    if (!parsed) return refuse('unknown');
    return this.consume({ ...parsed, userId: input.userId, chatId: input.chatId });
  }

  /** Records what came of a confirmed action (e.g. 'done', 'failed: ...') for the audit trail. */
  async recordResult(id: string, result: string): Promise<void> {
    await this.repo.setResult(id, result.slice(0, 500));
  }

  /** Deletes confirmations that expired more than `days` days ago. */
  async prune(days = 7): Promise<number> {
    return this.repo.pruneExpired(new Date(this.deps.clock.now() - days * 86_400_000));
  }

  private async whyNot(id: string, userId: number, chatId: number, now: Date): Promise<RefusalReason> {
    const row = await this.repo.get(id);
    if (!row) return 'unknown';
    if (row.userId !== userId || row.chatId !== chatId) return 'foreign';
    if (row.usedAt) return row.result === 'cancelled' ? 'cancelled' : 'used';
    return row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'used';
  }
}

export type { ConfirmChoice };

/** The two buttons of a confirmation, as one row of inline buttons. */
export function confirmButtons(
  c: Pick<CreatedConfirmation, 'confirmData' | 'cancelData'>,
  labels: { confirm?: string; cancel?: string } = {},
): { text: string; data: string }[][] {
  return [[{ text: labels.confirm ?? '✅ Confirm', data: c.confirmData }, { text: labels.cancel ?? 'Cancel', data: c.cancelData }]];
}
