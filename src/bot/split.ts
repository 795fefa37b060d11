/**
 * Splits an HTML reply into messages Telegram accepts (4096 characters each), on line boundaries,
 * never dropping text. Tags open at a split point are closed at the end of one part and reopened at
 * the start of the next, so every part is valid markup on its own. A single line longer than the
 * limit is cut between characters, outside tags and entities.
 *
 * Length is measured on the markup, which is never shorter than the text Telegram counts, so a part
 * within the limit here is within the limit there.
 */
export const TELEGRAM_TEXT_LIMIT = 4096;

interface OpenTag {
  name: string;
  open: string;
}

const TAG_RE = /<\/?([a-zA-Z-]+)(?:\s[^>]*)?>/g;

function updateStack(stack: OpenTag[], fragment: string): void {
  TAG_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TAG_RE.exec(fragment))) {
    const name = m[1]!.toLowerCase();
    if (m[0].startsWith('</')) {
      const idx = stack.map((t) => t.name).lastIndexOf(name);
      if (idx >= 0) stack.splice(idx, 1);
    } else {
      stack.push({ name, open: m[0] });
    }
  }
}

const closeAll = (stack: readonly OpenTag[]): string => [...stack].reverse().map((t) => `</${t.name}>`).join('');
const openAll = (stack: readonly OpenTag[]): string => stack.map((t) => t.open).join('');

/** Cuts a long line into pieces of at most `max` chars, never inside a tag or an &entity;. */
function cutLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (line.length - start > max) {
    let end = start + max;
    const lt = line.lastIndexOf('<', end - 1);
    const gt = line.lastIndexOf('>', end - 1);
    if (lt > gt && lt > start) end = lt; // do not cut inside a tag
    const amp = line.lastIndexOf('&', end - 1);
    const semi = line.lastIndexOf(';', end - 1);
    if (amp > semi && amp > start && end - amp < 10) end = amp; // nor inside an entity
    // Prefer a space near the end, so words stay whole.
    const space = line.lastIndexOf(' ', end - 1);
    if (space > start + max / 2) end = space + 1;
    // Keep UTF-16 surrogate pairs together.
    const code = line.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    pieces.push(line.slice(start, end));
    start = end;
  }
  pieces.push(line.slice(start));
  return pieces;
}

export function splitHtml(markup: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  if (markup.length <= limit) return [markup];
  const parts: string[] = [];
  const stack: OpenTag[] = [];
  // Reserve room for the closing and reopening tags a split adds.
  const room = (): number => limit - closeAll(stack).length - 64;
  let current = '';
  const flush = (): void => {
    if (current.trim() === '' || current === openAll(stack)) return;
    parts.push(current.replace(/\n+$/, '') + closeAll(stack));
  };
  for (const line of markup.split('\n')) {
    const candidate = current === '' ? line : current + '\n' + line;
    const stackAfter = [...stack];
    updateStack(stackAfter, line);
    if (candidate.length + closeAll(stackAfter).length <= limit) {
      current = candidate;
      stack.splice(0, stack.length, ...stackAfter);
      continue;
    }
    // The line does not fit: close this part, start a new one reopening the tags still open.
    flush();
    current = openAll(stack);
    const pieces = cutLine(line, Math.max(256, room() - current.length));
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i > 0) {
        flush();
        current = openAll(stack);
      }
      current += (current === '' || current === openAll(stack) ? '' : '\n') + piece;
      updateStack(stack, piece);
    }
  }
  flush();
  return parts;
}
