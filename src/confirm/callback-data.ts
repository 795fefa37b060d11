// Confirmation buttons' callback data: `cf:<id>:y` (confirm) and `cf:<id>:n` (cancel), 27 bytes, far
// under Telegram's 64. The id is 16 random bytes in base64url (128 bits).
import { z } from 'zod';

export const CONFIRM_PREFIX = 'cf';
export const CONFIRM_ID_BYTES = 16;
export type ConfirmChoice = 'y' | 'n';

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
const choiceSchema = z.enum(['y', 'n']);

/** After the prefix (what a CallbackSpec with prefix 'cf' gets as its payload): `<id>:<y|n>`. */
export const confirmPayloadSchema = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const [id, choice, ...rest] = s.split(':');
    const parsed = z.object({ id: idSchema, choice: choiceSchema }).safeParse({ id, choice });
    if (!parsed.success || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'not a confirmation button' });
      return z.NEVER;
    }
    return parsed.data;
  });

export const confirmIdSchema = idSchema;
export const confirmChoiceSchema = choiceSchema;

export function confirmData(id: string, choice: ConfirmChoice): string {
  return `${CONFIRM_PREFIX}:${id}:${choice}`;
}

/** `cf:<id>:<y|n>` -> its parts; null for anything else. */
export function parseConfirmData(data: unknown): { id: string; choice: ConfirmChoice } | null {
  if (typeof data !== 'string' || !data.startsWith(`${CONFIRM_PREFIX}:`)) return null;
  return parseConfirmPayload(data.slice(CONFIRM_PREFIX.length + 1));
}

/** `<id>:<y|n>` (the callback data after `cf:`) -> its parts; null for anything else. */
export function parseConfirmPayload(payload: unknown): { id: string; choice: ConfirmChoice } | null {
  const r = confirmPayloadSchema.safeParse(payload);
  return r.success ? r.data : null;
}
