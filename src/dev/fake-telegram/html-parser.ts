import type { MessageEntity } from 'grammy/types';

/**
 * Telegram's HTML parse_mode, following the behaviour of TDLib's parser: the supported tag subset
 * becomes plain text plus entities whose offsets and lengths count UTF-16 code units; errors carry
 * Telegram's wording ("Unsupported start tag "foo" at byte offset 0") and UTF-8 byte offsets.
 */
export type HtmlParseResult =
  | { ok: true; text: string; entities: MessageEntity[] }
  | { ok: false; error: string };

export interface HtmlParseOptions {
  /**
   * The Bot API docs require every `&` that does not start an entity to be written `&amp;`; real
   * Telegram silently keeps a bare `&`. Strict (the default) rejects it so missing escaping shows up.
   */
  strictAmpersand?: boolean;
}

const SUPPORTED_TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins',
  'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote',
]);

const SIMPLE_TYPES: Record<string, MessageEntity['type']> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler', span: 'spoiler',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  argument: string;
  expandable: boolean;
  offset: number;
  order: number;
}

interface RawEntity {
  type: string;
  offset: number;
  length: number;
  order: number;
  argument: string;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f' || c === '\0';

const byteOffset = (s: string, i: number): number => Buffer.byteLength(s.slice(0, i), 'utf8');

/** Decodes `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#NNN;` and `&#xHH;` at `i`; null if there is no valid entity. */
export function decodeHtmlEntity(s: string, i: number): { char: string; length: number } | null {
  const m = /^&(?:([a-zA-Z]+)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/.exec(s.slice(i, i + 12));
  if (!m) return null;
  if (m[1] !== undefined) {
    const char = NAMED_ENTITIES[m[1]];
    return char === undefined ? null : { char, length: m[0].length };
  }
  const code = m[2] !== undefined ? Number(m[2]) : parseInt(m[3] ?? '', 16);
  if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return null;
  return { char: String.fromCodePoint(code), length: m[0].length };
}

/** Telegram accepts http(s), tg and ton links; a link with no scheme gets `http://`. Null if unusable. */
export function checkLink(raw: string): string | null {
  const url = raw.trim();
  if (!url) return null;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  const full = scheme === undefined ? `http://${url}` : url;
  if (scheme !== undefined && !['http', 'https', 'tg', 'ton', 'tonsite'].includes(scheme)) return null;
  try {
    new URL(full);
    return full;
  } catch {
    return null;
  }
}

function toMessageEntity(e: RawEntity): MessageEntity {
  const base = { offset: e.offset, length: e.length };
  switch (e.type) {
    case 'text_link': return { ...base, type: 'text_link', url: e.argument };
    case 'pre': return e.argument ? { ...base, type: 'pre', language: e.argument } : { ...base, type: 'pre' };
    case 'custom_emoji': return { ...base, type: 'custom_emoji', custom_emoji_id: e.argument };
    default: return { ...base, type: e.type } as MessageEntity;
  }
}

export function parseHtml(html: string, options: HtmlParseOptions = {}): HtmlParseResult {
  const strictAmpersand = options.strictAmpersand ?? true;
  const n = html.length;
  const fail = (error: string): HtmlParseResult => ({ ok: false, error });
  const stack: OpenTag[] = [];
  const raw: RawEntity[] = [];
  let out = '';
  let order = 0;
  let i = 0;

  while (i < n) {
    const c = html[i];
    if (c === '&') {
      const entity = decodeHtmlEntity(html, i);
      if (entity) {
        out += entity.char;
        i += entity.length;
        continue;
      }
      if (strictAmpersand) return fail(`Unescaped "&" at byte offset ${byteOffset(html, i)}; write it as "&amp;"`);
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }

    const begin = i++;
    if (html[i] !== '/') {
      const nameStart = i;
      while (i < n && !isSpace(html[i]) && html[i] !== '>') i++;
      if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
      const name = html.slice(nameStart, i).toLowerCase();
      if (!SUPPORTED_TAGS.has(name)) {
        return fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(html, begin)}`);
      }
      let argument = '';
      let expandable = false;
      while (html[i] !== '>') {
        while (i < n && isSpace(html[i])) i++;
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
        if (html[i] === '>') break;
        const attrStart = i;
        while (i < n && !isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i++;
        const attr = html.slice(attrStart, i).toLowerCase();
        if (!attr) return fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(html, begin)}`);
        while (i < n && isSpace(html[i])) i++;
        if (html[i] !== '=') {
          if (name === 'blockquote' && attr === 'expandable') {
            expandable = true;
            continue;
          }
          if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
          return fail(
            `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${byteOffset(html, begin)}`,
          );
        }
        i++;
        while (i < n && isSpace(html[i])) i++;
        if (i >= n) return fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(html, begin)}`);
        let value = '';
        const quote = html[i];
        if (quote !== '"' && quote !== "'") {
          const tokenStart = i;
          while (i < n && /[A-Za-z0-9.-]/.test(html[i] ?? '')) i++;
          value = html.slice(tokenStart, i).toLowerCase();
          if (i < n && !isSpace(html[i]) && html[i] !== '>') {
            return fail(`Unexpected end of name token at byte offset ${byteOffset(html, tokenStart)}`);
          }
        } else {
          i++;
          while (i < n && html[i] !== quote) {
            const entity = html[i] === '&' ? decodeHtmlEntity(html, i) : null;
            value += entity ? entity.char : html[i];
            i += entity ? entity.length : 1;
          }
          if (html[i] === quote) i++;
        }
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
        if (name === 'a' && attr === 'href') argument = value;
        else if (name === 'code' && attr === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (name === 'span' && attr === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (name === 'tg-emoji' && attr === 'emoji-id') argument = value;
        else if (name === 'blockquote' && attr === 'expandable') expandable = true;
      }
      i++;
      if (name === 'span' && argument !== 'spoiler') {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(html, begin)}`);
      }
      stack.push({ name, argument, expandable, offset: out.length, order: order++ });
      continue;
    }

    // An end tag.
    if (stack.length === 0) return fail(`Unexpected end tag at byte offset ${byteOffset(html, begin)}`);
    i++;
    const nameStart = i;
    while (i < n && !isSpace(html[i]) && html[i] !== '>') i++;
    const endName = html.slice(nameStart, i).toLowerCase();
    while (i < n && isSpace(html[i])) i++;
    if (html[i] !== '>') return fail(`Unclosed end tag at byte offset ${byteOffset(html, begin)}`);
    i++;
    const open = stack.pop() as OpenTag;
    if (endName && endName !== open.name) {
      return fail(
        `Unmatched end tag at byte offset ${byteOffset(html, begin)}, expected "</${open.name}>", found "</${endName}>"`,
      );
    }
    const error = closeTag(open, out, raw);
    if (error) return fail(error);
  }

  const unclosed = stack[stack.length - 1];
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  raw.sort((a, b) => a.offset - b.offset || b.length - a.length || a.order - b.order);
  return { ok: true, text: out, entities: raw.map(toMessageEntity) };
}

/** Turns a closed tag into an entity (empty ranges make none); returns an error text for a bad custom emoji. */
function closeTag(open: OpenTag, out: string, raw: RawEntity[]): string | null {
  const offset = open.offset;
  const length = out.length - offset;
  if (length <= 0) return null;
  const entity = (type: string, argument = ''): void => {
    raw.push({ type, offset, length, order: open.order, argument });
  };
  const last = raw[raw.length - 1];
  const sameRange = last !== undefined && last.offset === offset && last.length === length;
  const simple = SIMPLE_TYPES[open.name];
  if (simple) entity(simple);
  else if (open.name === 'a') {
    const url = checkLink(open.argument || out.slice(offset));
    if (url) entity('text_link', url);
  } else if (open.name === 'pre') {
    if (sameRange && last.type === 'code' && last.argument) {
      last.type = 'pre';
      last.order = open.order;
    } else entity('pre');
  } else if (open.name === 'code') {
    if (sameRange && last.type === 'pre' && open.argument) last.argument = open.argument;
    else entity('code', open.argument);
  } else if (open.name === 'blockquote') entity(open.expandable ? 'expandable_blockquote' : 'blockquote');
  else if (open.name === 'tg-emoji') {
    if (!/^[1-9]\d*$/.test(open.argument)) return 'Invalid custom emoji identifier specified';
    entity('custom_emoji', open.argument);
  }
  return null;
}
