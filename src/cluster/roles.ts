/**
 * `npm start -- --role bot|worker|all` (default all).
 *   all     one process does everything (the default; with REDIS_URL it also shares bots with workers)
 *   bot     Telegram I/O and the app: commands, confirmations, the alert sender; runs no bot
 *   worker  runs bots (the trading loop) and nothing that talks to Telegram
 */
export const ROLES = ['all', 'bot', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export class RoleError extends Error {
  override readonly name = 'RoleError';
}

/** Reads `--role X` or `--role=X` from the arguments; default `all`. */
export function parseRole(argv: readonly string[]): Role {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--role') {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new RoleError('--role needs a value: bot, worker or all (e.g. npm start -- --role worker).');
    } else if (a.startsWith('--role=')) value = a.slice('--role='.length);
  }
  if (value === undefined) return 'all';
  const v = value.trim().toLowerCase();
  if ((ROLES as readonly string[]).includes(v)) return v as Role;
  throw new RoleError(`Unknown role "${value}": use bot (Telegram only), worker (runs bots) or all (both, the default).`);
}

/** Whether the role runs the trading loop. */
export const runsLoop = (r: Role): boolean => r !== 'bot';
/** Whether the role talks to Telegram (updates, alerts). */
export const runsTelegram = (r: Role): boolean => r !== 'worker';
