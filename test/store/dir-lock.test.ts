import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDirLock, DatabaseInUseError, LOCK_FILE_NAME, parseLockInfo } from '../../src/store/dir-lock.js';
import { tempDir } from './helpers.js';

let root: { dir: string; remove(): Promise<void> };
let n = 0;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = await tempDir('tgt-lock-');
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  await root.remove();
});

/** A fresh directory under the temp root. */
async function freshDir(): Promise<string> {
  const dir = path.join(root.dir, `d${n++}`);
  await mkdir(dir);
  return dir;
}

function lockFile(dir: string): string {
  return path.join(dir, LOCK_FILE_NAME);
}

async function writeLock(dir: string, info: object): Promise<void> {
  await writeFile(lockFile(dir), JSON.stringify(info));
}

/** A live node process that does nothing. */
function liveChild(): ChildProcess {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** The pid of a node process that has already exited. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => c.once('exit', resolve));
  return c.pid!;
}

describe('directory lock', () => {
  it('creates a lock file with pid and hostname, and release removes it', async () => {
    const dir = await freshDir();
    const lock = await acquireDirLock(dir);
    const info = parseLockInfo(await readFile(lockFile(dir), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    await lock.release();
    expect(existsSync(lockFile(dir))).toBe(false);
    await lock.release(); // twice is fine
    const again = await acquireDirLock(dir);
    await again.release();
  });

  it('refuses a second lock in the same process, also when both are requested at once', async () => {
    const dir = await freshDir();
    const lock = await acquireDirLock(dir, './data/db');
    await expect(acquireDirLock(dir, './data/db')).rejects.toThrow(
      `The database directory ./data/db is already open in this process (pid ${process.pid}). Close it first, or set DATABASE_URL to another directory.`,
    );
    await lock.release();

    const results = await Promise.allSettled([acquireDirLock(dir), acquireDirLock(dir)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(DatabaseInUseError);
    await (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireDirLock>>>).value.release();
  });

  it('refuses a lock held by another live process, in one clear sentence', async () => {
    const dir = await freshDir();
    const child = liveChild();
    await writeLock(dir, { pid: child.pid, hostname: os.hostname(), acquiredAt: '' });
    await expect(acquireDirLock(dir, './data/db')).rejects.toThrow(
      `The database directory ./data/db is in use by another process (pid ${child.pid}). Stop it first, or set DATABASE_URL to another directory.`,
    );
    expect(existsSync(lockFile(dir))).toBe(true);
  });

  it('takes over a stale lock whose process is dead', async () => {
    const dir = await freshDir();
    await writeLock(dir, { pid: await deadPid(), hostname: os.hostname(), acquiredAt: '' });
    const lock = await acquireDirLock(dir);
    expect(parseLockInfo(await readFile(lockFile(dir), 'utf8'))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock left by an earlier process with our own pid (restarted container)', async () => {
    const dir = await freshDir();
    await writeLock(dir, { pid: process.pid, hostname: os.hostname(), acquiredAt: '' });
    const lock = await acquireDirLock(dir);
    await lock.release();
  });

  it('takes over a lock whose pid now belongs to a different process (start time differs)', async () => {
    const dir = await freshDir();
    const child = liveChild();
    await writeLock(dir, { pid: child.pid, hostname: os.hostname(), procStart: '1', acquiredAt: '' });
    const lock = await acquireDirLock(dir);
    await lock.release();
  });

  it('respects a fresh lock from another host and takes over one whose heartbeat stopped', async () => {
    const dir = await freshDir();
    await writeLock(dir, { pid: 1, hostname: 'other-host', acquiredAt: '' });
    await expect(acquireDirLock(dir, 'D')).rejects.toThrow(
      'The database directory D is in use by another process (pid 1 on host other-host).',
    );
    const old = new Date(Date.now() - 120_000);
    await utimes(lockFile(dir), old, old);
    const lock = await acquireDirLock(dir);
    await lock.release();
  });

  it('takes over an old unreadable lock file', async () => {
    const dir = await freshDir();
    await writeFile(lockFile(dir), '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile(dir), old, old);
    const lock = await acquireDirLock(dir);
    await lock.release();
  });

  it('release does not delete a lock file that another process has since taken', async () => {
    const dir = await freshDir();
    const lock = await acquireDirLock(dir);
    const other = JSON.stringify({ pid: 12345, hostname: 'elsewhere', acquiredAt: '' });
    await writeFile(lockFile(dir), other);
    await lock.release();
    expect(await readFile(lockFile(dir), 'utf8')).toBe(other);
  });
});
