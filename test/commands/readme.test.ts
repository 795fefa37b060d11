import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fullRegistry } from '../../src/commands/registry.js';
import { commandsMarkdownTable } from '../../src/commands/table.js';

describe('README', () => {
  it("lists exactly the bot's commands (run `npx tsx scripts/readme-commands.ts` after changing them)", () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(commandsMarkdownTable(fullRegistry().commands));
  });

  it('every command has a summary for the Telegram menu and a complete example', () => {
    for (const c of fullRegistry().commands) {
      expect(c.name).toMatch(/^[a-z][a-z0-9_]{0,31}$/);
      expect(c.summary.length).toBeGreaterThanOrEqual(3);
      expect(c.summary.length).toBeLessThanOrEqual(256);
      expect(c.example.startsWith(`/${c.name}`)).toBe(true);
    }
  });
});
