// A lock file that keeps a second process (or a second open in this process) out of a PGlite data
// directory: PGlite has no lock of its own and two writers corrupt the directory.
//
// The lock file holds the owner's pid, hostname and process start time. It is created atomically
// (open with 'wx'). A lock whose owner is gone (kill -9, power loss) is taken over: on the same host
// when the pid is dead (process.kill(pid, 0)) or was reused by another process; from another host
// (a recreated container on the same volume) when its heartbeat (the file's mtime, touched every
// 10 s) is older than a minute. Removing a stale lock happens under a short-lived guard file so two
// processes starting at once cannot both take it over.
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE_NAME = 'tg-trader.lock';

const HEARTBEAT_MS = 10_000;
const FOREIGN_STALE_MS = 60_000;
const GUARD_STALE_MS = 10_000;
const UNREADABLE_GRACE_MS = 2_000;
const RETRY_DELAY_MS = 50;
const MAX_ATTEMPTS = 100;

export interface LockInfo {
  pid: number;
  hostname: string;
  /** Process start time from /proc (Linux), to tell a reused pid from the owner. */
  procStart?: string;
  acquiredAt: string;
}

export interface DirLock {
  readonly path: string;
  release(): Promise<void>;
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
  constructor(
    readonly displayDir: string,
    readonly pid: number,
    readonly hostname: string | null,
    readonly sameProcess = false,
  ) {
    const who = hostname === null ? `pid ${pid}` : `pid ${pid} on host ${hostname}`;
    super(
      sameProcess
        ? `The database directory ${displayDir} is already open in this process (${who}). ` +
            'Close it first, or set DATABASE_URL to another directory.'
        : `The database directory ${displayDir} is in use by another process (${who}). ` +
            'Stop it first, or set DATABASE_URL to another directory.',
    );
  }
}

/** Lock files this process holds (absolute path -> the exact content it wrote). */
const held = new Map<string, string>();
/** Lock files this process is taking right now. */
const acquiring = new Set<string>();

/**
 * Takes the lock on `dir` (which must exist). `displayDir` is how messages name the directory.
 * Throws DatabaseInUseError when a live process (this one included) holds it.
 */
export async function acquireDirLock(dir: string, displayDir: string = dir): Promise<DirLock> {
  const lockPath = path.join(path.resolve(dir), LOCK_FILE_NAME);
  // One acquirer per path in this process; a lock file with our pid found below is then never ours.
  if (held.has(lockPath) || acquiring.has(lockPath)) {
    throw new DatabaseInUseError(displayDir, process.pid, null, true);
  }
  acquiring.add(lockPath);
  try {
    return await acquire(lockPath, displayDir);
  } finally {
    acquiring.delete(lockPath);
  }
}

async function acquire(lockPath: string, displayDir: string): Promise<DirLock> {
  const me: LockInfo = {
    pid: process.pid,
    hostname: os.hostname(),
    acquiredAt: new Date().toISOString(),
  };
  const procStart = readProcStart(process.pid);
  if (procStart !== null) me.procStart = procStart;
  const content = `${JSON.stringify(me)}\n`;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await tryCreate(lockPath, content)) {
      held.set(lockPath, content);
      return makeHandle(lockPath, content);
    }
    const seen = await readIfExists(lockPath);
    if (seen === null) continue; // removed meanwhile: try again
    const info = parseLockInfo(seen.text);
    if (info === null && Date.now() - seen.mtimeMs < UNREADABLE_GRACE_MS) {
      await sleep(RETRY_DELAY_MS); // being written right now
      continue;
    }
    if (info !== null && isHolderAlive(info, seen.mtimeMs)) {
      throw new DatabaseInUseError(displayDir, info.pid, info.hostname === os.hostname() ? null : info.hostname);
    }
    await removeStale(lockPath, seen.text);
  }
  throw new Error(`Could not take the lock on the database directory ${displayDir}: it keeps changing. Try again.`);
}

function makeHandle(lockPath: string, content: string): DirLock {
  const timer = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      held.delete(lockPath);
      const current = await readIfExists(lockPath);
      if (current !== null && current.text === content) await unlinkIfExists(lockPath);
    },
  };
}

async function tryCreate(file: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (e) {
    if (errCode(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** Deletes the lock if it still holds exactly `staleText`, under a guard file. */
async function removeStale(lockPath: string, staleText: string): Promise<void> {
  const guard = `${lockPath}.takeover`;
  if (!(await tryCreate(guard, `${process.pid}\n`))) {
    const g = await readIfExists(guard);
    if (g !== null && Date.now() - g.mtimeMs > GUARD_STALE_MS) await unlinkIfExists(guard);
    await sleep(RETRY_DELAY_MS);
    return;
  }
  try {
    const again = await readIfExists(lockPath);
    if (again !== null && again.text === staleText) await unlinkIfExists(lockPath);
  } finally {
    await unlinkIfExists(guard);
  }
}

export function parseLockInfo(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo> | null;
    if (v === null || typeof v !== 'object') return null;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    if (typeof v.hostname !== 'string') return null;
    const info: LockInfo = { pid: v.pid, hostname: v.hostname, acquiredAt: String(v.acquiredAt ?? '') };
    if (typeof v.procStart === 'string') info.procStart = v.procStart;
    return info;
  } catch {
    return null;
  }
}

function isHolderAlive(info: LockInfo, mtimeMs: number): boolean {
  if (info.hostname !== os.hostname()) return Date.now() - mtimeMs < FOREIGN_STALE_MS;
  // Our own pid but not in `held`/`acquiring`: left by a previous process that had the same pid
  // (e.g. pid 1 in a restarted container).
  if (info.pid === process.pid) return false;
  if (!isPidAlive(info.pid)) return false;
  if (info.procStart !== undefined) {
    const now = readProcStart(info.pid);
    if (now !== null && now !== info.procStart) return false; // pid reused by another process
  }
  return true;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or null off Linux. */
function readProcStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // fields after "(comm)" start at field 3
  } catch {
    return null;
  }
}

async function readIfExists(file: string): Promise<{ text: string; mtimeMs: number } | null> {
  try {
    const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, mtimeMs: st.mtimeMs };
  } catch (e) {
    if (errCode(e) === 'ENOENT') return null;
    throw e;
  }
}

async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw e;
  }
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
