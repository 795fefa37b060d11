/**
 * Child processes for the crash harness: spawns src/dev/crash-worker.ts under tsx, collects its
 * JSON log lines, waits for "ready", and kills it (-9) or stops it (SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findPackageRoot } from '../store/package-root.js';

export interface LogEvent {
  time?: number;
  msg?: string;
  event?: string;
  [k: string]: unknown;
}

export class CrashProc {
  readonly events: LogEvent[] = [];
  readonly stderr: string[] = [];
  readonly spawnedAt = Date.now();
  readyAt: number | null = null;
  exitCode: number | null | undefined = undefined;
  killedAt: number | null = null;
  private readonly exited: Promise<void>;
  private readyWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    onEvent?: (proc: CrashProc, e: LogEvent) => void,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => {
      this.exitCode = code;
      resolve();
    }));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      let e: LogEvent;
      try {
        e = JSON.parse(line) as LogEvent;
      } catch {
        return;
      }
      this.events.push(e);
      if (e.event === 'crash-worker-ready') {
        this.readyAt = Date.now();
        for (const w of this.readyWaiters.splice(0)) w();
      }
      onEvent?.(this, e);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 200) this.stderr.shift();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves when ready; rejects if the process exits first or the timeout passes. */
  ready(timeoutMs = 60_000): Promise<void> {
    if (this.readyAt !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name} not ready after ${timeoutMs} ms: ${this.stderr.slice(-15).join('\n')}`)), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
      void this.exited.then(() => {
        clearTimeout(t);
        reject(new Error(`${this.name} exited (code ${this.exitCode}) before ready: ${this.stderr.slice(-15).join('\n')}`));
      });
    });
  }

  /** kill -9, and wait until it is gone. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.killedAt = Date.now();
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a clean stop), then -9 after the timeout. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }

  exit(): Promise<void> {
    return this.exited;
  }
}

export function spawnCrashWorker(name: string, args: string[], env: Record<string, string>, onEvent?: (p: CrashProc, e: LogEvent) => void): CrashProc {
  const root = findPackageRoot();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/crash-worker.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new CrashProc(name, child, onEvent);
}
