import { html, type RawHtml } from '../bot/html.js';
import type { DomainEvent } from '../engines/types.js';

/** Which alert type a domain event raises (null: recorded, not pushed). */
export function alertKindOf(e: DomainEvent): string | null {
  switch (e.type) {
    case 'filled':
    case 'safety_order_filled':
    case 'entry':
    case 'partial_close':
      return 'fill';
    case 'take_profit':
    case 'exit':
      return e.type === 'exit' && e.reason === 'stop_loss' ? 'stop_loss' : 'take_profit';
    case 'stop_loss':
      return 'stop_loss';
    case 'grid_cycle':
      return 'grid_cycle';
    case 'halted':
    case 'reducing':
    case 'resumed':
      return 'risk';
    case 'error':
    case 'order_rejected':
      return 'bot_error';
    case 'range_left':
    case 'range_entered':
    case 'mode_changed':
    case 'deal_closed':
      return 'fill';
    default:
      return null;
  }
}

const ICON: Record<string, string> = {
  fill: '✅',
  take_profit: '💰',
  stop_loss: '🛑',
  grid_cycle: '🔁',
  risk: '⚠️',
  bot_error: '❗',
};

export function botLabel(bot: { id: number; strategy: string; symbol: string }): RawHtml {
  return html`#${bot.id} ${bot.strategy} ${bot.symbol}`;
}

export function alertText(bot: { id: number; strategy: string; symbol: string; mode: string }, kind: string, e: DomainEvent): RawHtml {
  const live = bot.mode === 'live' ? ' 🔴 LIVE' : '';
  return html`${ICON[kind] ?? 'ℹ️'} <b>${botLabel(bot)}</b>${live}: ${e.message}`;
}
