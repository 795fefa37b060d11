import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';

/**
 * The inline button whose label contains `label` (case-insensitive). An exact label wins over
 * partial matches; several partial matches are an error naming them.
 */
export function findButton(markup: InlineKeyboardMarkup | undefined, label: string): InlineKeyboardButton {
  const buttons = markup?.inline_keyboard.flat() ?? [];
  const wanted = label.toLowerCase();
  const exact = buttons.filter((b) => b.text.toLowerCase() === wanted);
  const partial = buttons.filter((b) => b.text.toLowerCase().includes(wanted));
  const candidates = exact.length ? exact : partial;
  const labels = buttons.map((b) => JSON.stringify(b.text)).join(', ');
  if (candidates.length === 0) throw new Error(`no button matching ${JSON.stringify(label)}; buttons: ${labels || 'none'}`);
  const [first] = candidates;
  if (candidates.length > 1 || first === undefined) {
    throw new Error(
      `${candidates.length} buttons match ${JSON.stringify(label)}: ${candidates.map((b) => JSON.stringify(b.text)).join(', ')}`,
    );
  }
  return first;
}
