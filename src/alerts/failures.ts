// What a failed send means for the alert: wait and retry (429, 5xx, network), or give up on it as it
// is (400 / 403: the same request will never succeed).

export type SendFailure =
  /** Telegram asked us to slow down: retry this chat after `retryAfterMs`. */
  | { kind: 'rate-limit'; retryAfterMs: number; description: string }
  /** The server or the network failed: retry with back-off, for as long as it takes. */
  | { kind: 'transient'; description: string; mayHaveArrived: boolean }
  /** Telegram refused this request (bad markup, chat not found, blocked by the user). */
  | { kind: 'permanent'; code: number; description: string };

/** Connection errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

const DEFAULT_RETRY_AFTER_MS = 5_000;

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The network error's code (grammY's HttpError keeps the fetch error in `.error`; others use `.cause`). */
function networkCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const code = field(cur, 'code');
    if (typeof code === 'string') return code;
    cur = field(cur, 'error') ?? field(cur, 'cause');
  }
  return undefined;
}

/** Classifies what the injected send threw (grammY's GrammyError / HttpError, or anything shaped like them). */
export function classifySendError(e: unknown): SendFailure {
  const code = field(e, 'error_code');
  if (typeof code === 'number') {
    const description = String(field(e, 'description') ?? errorText(e));
    if (code === 429) {
      const retryAfter = field(field(e, 'parameters'), 'retry_after');
      const ms = typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter * 1000 : DEFAULT_RETRY_AFTER_MS;
      return { kind: 'rate-limit', retryAfterMs: ms, description: `429 ${description}` };
    }
    if (code === 400 || code === 403) return { kind: 'permanent', code, description: `${code} ${description}` };
    // 401 (token), 404, 409, 5xx: the server's problem or ours, not this alert's: retry.
    return { kind: 'transient', description: `${code} ${description}`, mayHaveArrived: false };
  }
  const net = networkCode(e);
  return {
    kind: 'transient',
    description: `network: ${net ?? ''}${net ? ' ' : ''}${errorText(e)}`.slice(0, 500),
    mayHaveArrived: net === undefined || !NOT_SENT_CODES.has(net),
  };
}

/** base, 2·base, 4·base ... capped at max. `n` counts consecutive failures from 1. */
export function backoffMs(n: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, n - 1)));
}

/** Chat-wide refusals (blocked, never started, chat gone): every alert to the chat would get the same. */
const CHAT_LEVEL = /chat not found|user not found|peer_id_invalid|blocked|deactivated|kicked|initiate conversation/i;

export function isChatLevelRefusal(description: string | null): boolean {
  return description !== null && CHAT_LEVEL.test(description);
}

const PERMANENT_RE = /^permanent (\d+)\/\d+: /;

/** How many permanent refusals in a row the row's lastError records (0 when the last error was another kind). */
export function permanentCount(lastError: string | null): number {
  const m = lastError === null ? null : PERMANENT_RE.exec(lastError);
  return m ? Number(m[1]) : 0;
}

export function permanentError(n: number, max: number, description: string): string {
  return `permanent ${n}/${max}: ${description}`;
}
