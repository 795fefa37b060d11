// The alert types an owner can tune, each with one line for /alerts and the help text.

export const ALERT_TYPES = [
  { type: 'fill', description: 'An order of one of your bots was filled (partly or fully).' },
  { type: 'take_profit', description: 'A take-profit target was reached and the position closed in profit.' },
  { type: 'stop_loss', description: 'A stop-loss was hit and the position closed.' },
  { type: 'grid_cycle', description: 'A grid bot completed a buy-sell cycle and booked its profit.' },
  { type: 'daily_loss', description: 'The daily loss limit was reached: trading is halted for the day.' },
  { type: 'drawdown', description: 'A bot or the account fell past its drawdown limit.' },
  { type: 'bot_error', description: 'A bot hit an error it could not recover from on its own.' },
  { type: 'bot_paused', description: 'A bot was paused or halted (by you, the risk gate or an error).' },
  { type: 'exchange_down', description: 'The exchange stopped answering, and when it came back.' },
  { type: 'daily_summary', description: 'The end-of-day report: P&L, fills and open positions.' },
  { type: 'manual_change', description: 'Someone changed a bot, a limit or the mode from Telegram or the CLI.' },
  { type: 'risk', description: 'The risk gate refused an order or moved to REDUCING or HALTED.' },
] as const satisfies readonly { type: string; description: string }[];

export type AlertType = (typeof ALERT_TYPES)[number]['type'];

export const ALERT_TYPE_NAMES: readonly AlertType[] = ALERT_TYPES.map((t) => t.type);

export function isAlertType(value: string): value is AlertType {
  return (ALERT_TYPE_NAMES as readonly string[]).includes(value);
}

/** on: with sound; silent: delivered without a notification sound; off: not sent at all. */
export const ALERT_MODES = ['on', 'silent', 'off'] as const;
export type AlertMode = (typeof ALERT_MODES)[number];

/** What an owner gets when they never changed anything. */
export const DEFAULT_ALERT_MODES: Readonly<Record<AlertType, AlertMode>> = Object.freeze(
  Object.fromEntries(ALERT_TYPE_NAMES.map((t) => [t, t === 'daily_summary' ? 'silent' : 'on'])) as Record<AlertType, AlertMode>,
);
