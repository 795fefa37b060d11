import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../../src/dev/fake-telegram/html-parser.js';

function ok(html: string) {
  const r = parseHtml(html);
  if (!r.ok) throw new Error(`expected success, got: ${r.error}`);
  return r;
}

function error(html: string): string {
  const r = parseHtml(html);
  if (r.ok) throw new Error(`expected an error for ${html}`);
  return r.error;
}

describe('parseHtml: valid markup', () => {
  it('plain text passes through without entities', () => {
    expect(ok('hello world')).toEqual({ ok: true, text: 'hello world', entities: [] });
  });

  it('maps every simple tag to its entity type', () => {
    const r = ok('<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins><s>g</s><strike>h</strike><del>i</del>');
    expect(r.text).toBe('abcdefghi');
    expect(r.entities.map((e) => [e.type, e.offset, e.length])).toEqual([
      ['bold', 0, 1], ['bold', 1, 1], ['italic', 2, 1], ['italic', 3, 1], ['underline', 4, 1],
      ['underline', 5, 1], ['strikethrough', 6, 1], ['strikethrough', 7, 1], ['strikethrough', 8, 1],
    ]);
  });

  it('nests entities, outer first when they cover the same range', () => {
    const r = ok('x <b>bold <i>both</i></b> <b><u>bu</u></b>');
    expect(r.text).toBe('x bold both bu');
    expect(r.entities).toEqual([
      { type: 'bold', offset: 2, length: 9 },
      { type: 'italic', offset: 7, length: 4 },
      { type: 'bold', offset: 12, length: 2 },
      { type: 'underline', offset: 12, length: 2 },
    ]);
  });

  it('counts offsets in UTF-16 code units (emoji are two)', () => {
    const r = ok('📈 <b>BTC</b> ✅ <i>é🚀x</i>');
    expect(r.text).toBe('📈 BTC ✅ é🚀x');
    expect(r.entities).toEqual([
      { type: 'bold', offset: 3, length: 3 },
      { type: 'italic', offset: 9, length: 4 },
    ]);
    expect(r.text.slice(9, 13)).toBe('é🚀x');
  });

  it('decodes the named and numeric entities', () => {
    expect(ok('&lt;a&gt; &amp; &quot;q&quot; &#65;&#x1F680;&#x42;').text).toBe('<a> & "q" A🚀B');
  });

  it('entities inside tags count as one character (or two beyond the BMP)', () => {
    expect(ok('&lt;<b>&amp;&#128640;</b>').entities).toEqual([{ type: 'bold', offset: 1, length: 3 }]);
  });

  it('links: text_link with the href, quotes and entities in attributes', () => {
    expect(ok('<a href="https://example.com/?a=1&amp;b=2">site</a>').entities).toEqual([
      { type: 'text_link', offset: 0, length: 4, url: 'https://example.com/?a=1&b=2' },
    ]);
    expect(ok("<a href='http://x.org'>x</a>").entities[0]).toMatchObject({ url: 'http://x.org' });
  });

  it('code, pre and pre with a language', () => {
    expect(ok('<code>x = 1</code>').entities).toEqual([{ type: 'code', offset: 0, length: 5 }]);
    expect(ok('<pre>raw</pre>').entities).toEqual([{ type: 'pre', offset: 0, length: 3 }]);
    expect(ok('<pre><code class="language-ts">let a</code></pre>').entities).toEqual([
      { type: 'pre', offset: 0, length: 5, language: 'ts' },
    ]);
  });

  it('spoilers, blockquotes and custom emoji', () => {
    expect(ok('<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>').entities).toEqual([
      { type: 'spoiler', offset: 0, length: 1 },
      { type: 'spoiler', offset: 1, length: 1 },
    ]);
    expect(ok('<blockquote>q</blockquote><blockquote expandable>e</blockquote>').entities).toEqual([
      { type: 'blockquote', offset: 0, length: 1 },
      { type: 'expandable_blockquote', offset: 1, length: 1 },
    ]);
    expect(ok('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>').entities).toEqual([
      { type: 'custom_emoji', offset: 0, length: 2, custom_emoji_id: '5368324170671202286' },
    ]);
  });

  it('tag names are case-insensitive, empty tags make no entity, </> closes the innermost tag', () => {
    expect(ok('<B>x</B><i></i><b>y</>')).toEqual({
      ok: true,
      text: 'xy',
      entities: [{ type: 'bold', offset: 0, length: 1 }, { type: 'bold', offset: 1, length: 1 }],
    });
  });

  it('keeps newlines and spaces as they are', () => {
    expect(ok('<b>a</b>\n\n  b ').text).toBe('a\n\n  b ');
  });
});

describe('parseHtml: errors in Telegram wording with UTF-8 byte offsets', () => {
  it('an unsupported tag', () => {
    expect(error('hi <br> there')).toBe('Unsupported start tag "br" at byte offset 3');
    expect(error('é <div>')).toBe('Unsupported start tag "div" at byte offset 3');
  });

  it('a bare <', () => {
    expect(error('1 < 2')).toBe('Unsupported start tag "" at byte offset 2');
    expect(error('price<5 now')).toBe('Unsupported start tag "5" at byte offset 5');
    expect(error('price<5')).toBe('Unclosed start tag at byte offset 5');
    expect(error('ends with <')).toBe('Unclosed start tag at byte offset 10');
  });

  it('a bare & that is no entity', () => {
    expect(error('AT&T')).toBe('Unescaped "&" at byte offset 2; write it as "&amp;"');
    expect(error('&nbsp;')).toMatch(/^Unescaped "&" at byte offset 0/);
    expect(error('&#xD800;')).toMatch(/^Unescaped "&"/);
    expect(parseHtml('AT&T', { strictAmpersand: false })).toEqual({ ok: true, text: 'AT&T', entities: [] });
  });

  it('unclosed and unbalanced tags', () => {
    expect(error('<b>bold')).toBe('Can\'t find end tag corresponding to start tag "b"');
    expect(error('<b><i>x</b></i>')).toBe('Unmatched end tag at byte offset 7, expected "</i>", found "</b>"');
    expect(error('x</b>')).toBe('Unexpected end tag at byte offset 1');
    expect(error('<b>x</b')).toBe('Unclosed end tag at byte offset 4');
    expect(error('<b x')).toBe('Unclosed start tag at byte offset 0');
  });

  it('bad attributes', () => {
    expect(error('<span>x</span>')).toBe('Tag "span" must have class "tg-spoiler" at byte offset 0');
    expect(error('<a href>x</a>')).toBe('Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0');
    expect(error('<a href=x/y>x</a>')).toBe('Unexpected end of name token at byte offset 8');
    expect(error('<tg-emoji emoji-id="abc">x</tg-emoji>')).toBe('Invalid custom emoji identifier specified');
  });
});
