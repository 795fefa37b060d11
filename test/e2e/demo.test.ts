import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
const env = { ...process.env, DATABASE_URL: `pglite:${join(dir, 'db')}`, TELEGRAM_BOT_TOKEN: '', LOG_LEVEL: 'warn' };
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

function runScript(lines: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = spawnSync(tsx, ['src/dev/demo.ts', '--script', file], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run demo -- --script', () => {
  it('prints the transcript of /start, /help and /status and exits 0', () => {
    const r = runScript(['# a comment is skipped', '/start', '/help', '/status']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^demo> fake Telegram at http:\/\/127\.0\.0\.1:\d+/);
    expect(lines).toContain('you> /start');
    expect(lines).toContain('you> /status');
    expect(r.out).toMatch(/^bot> 👋 Welcome, Trader!$/m);
    expect(r.out).toMatch(/^bot> Commands$/m);
    expect(r.out).toMatch(/^bot> Status\n {5}Version: /m);
    expect(r.out).not.toContain('comment');
  }, 120_000);

  it('refuses to run with a real token set', () => {
    const r = runScript(['/start'], { TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenFAKEtoken_fake-1234567890' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/refuses to use a real token/);
    expect(r.err + r.out).not.toContain('AAHfakeToken');
  }, 60_000);

  it('survives kill -9: the database reopens, no migration runs twice, nothing is lost', async () => {
    const before = runScript(['/status']);
    const audits = Number(/audit entries: (\d+)/.exec(before.out)?.[1]);
    expect(audits).toBeGreaterThan(0);

    // An interactive demo on the same database, killed hard while running.
    const child = spawn(tsx, ['src/dev/demo.ts'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let asked = false;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the interactive demo did not start')), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Status')) {
          clearTimeout(t);
          resolve();
        } else if (!asked && out.includes('type a command')) {
          asked = true; // once: the prompt may arrive in several chunks
          child.stdin.write('/status\n');
        }
      });
    });
    // The reply is out; give the handler a moment to write its audit entry, then kill it hard.
    await new Promise((r) => setTimeout(r, 1_000));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const after = runScript(['/status']);
    expect(after.code).toBe(0);
    expect(after.err).toBe('');
    // /status from the first run, /status in the killed run, this /status: each audited once.
    expect(Number(/audit entries: (\d+)/.exec(after.out)?.[1])).toBe(audits + 2);
  }, 180_000);
});
