// `npx tsx scripts/readme-commands.ts` rewrites the README's command table from the bot's registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { fullRegistry } from '../src/commands/registry.js';
import { commandsMarkdownTable } from '../src/commands/table.js';

const START = '<!-- commands:start (generated from the bot\'s /help; a test keeps this table in sync) -->';
const END = '<!-- commands:end -->';
const readme = readFileSync('README.md', 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) throw new Error('README.md has no commands markers');
const table = commandsMarkdownTable(fullRegistry().commands);
writeFileSync('README.md', readme.slice(0, a + START.length) + '\n' + table + '\n' + readme.slice(b));
console.log('README command table updated.');
