import { describe, expect, it } from 'vitest';
import { html, type RawHtml } from '../../src/bot/html.js';
import { ProgressMessage } from '../../src/commands/backtest.js';
import type { MessageRef, Reply, Responder } from '../../src/commands/types.js';

class FakeResponder implements Responder {
  edits: string[] = [];
  reply(): Promise<MessageRef> {
    return Promise.resolve({ chatId: 1, messageId: 1 });
  }
  edit(_ref: MessageRef, r: Reply): Promise<void> {
    this.edits.push(r.html.value);
    return Promise.resolve();
  }
  photo(_png: Uint8Array, _caption?: RawHtml): Promise<MessageRef> {
    return Promise.resolve({ chatId: 1, messageId: 2 });
  }
}

describe('the progress message', () => {
  it('is edited at most once per interval, and always at the end', async () => {
    let now = 0;
    const r = new FakeResponder();
    const p = new ProgressMessage(r, { chatId: 1, messageId: 1 }, 1_500, () => now);
    p.update(html`a`);
    now = 100;
    p.update(html`b`);
    now = 1_600;
    p.update(html`c`);
    now = 1_700;
    p.update(html`d`);
    await p.finish(html`done`);
    expect(r.edits).toEqual(['a', 'c', 'done']);
  });
});
