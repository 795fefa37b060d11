/** Escapes a value for Telegram's HTML parse mode. Every interpolated value goes through this. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Raw HTML that `html` must not escape again. */
export class RawHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks trusted markup (our own tags) so `html` passes it through. */
export const raw = (markup: string): RawHtml => new RawHtml(markup);

/**
 * Tagged template for reply markup: the literal parts are our markup, every `${value}` is escaped
 * unless it is RawHtml (e.g. the result of another `html` call).
 *   html`<b>${name}</b> has ${n} orders`
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (v instanceof RawHtml ? v.value : escapeHtml(v)) + (strings[i + 1] ?? '');
  }
  return new RawHtml(out);
}

/** Joins markup pieces with a separator (default newline). */
export function joinHtml(parts: readonly RawHtml[], sep = '\n'): RawHtml {
  return new RawHtml(parts.map((p) => p.value).join(sep));
}
