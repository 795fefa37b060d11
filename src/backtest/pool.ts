/**
 * A small pool of worker threads for backtests, so that the bot's event loop stays free. Workers
 * start lazily, are reused, and do not keep the process alive while idle. Under tsx (dev, tests)
 * the worker is the .ts file loaded through tsx; compiled, it is the .js file next to this one.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './protocol.js';

/**
 * Starts the worker script matching how this module itself runs: compiled, the worker.js next to
 * this file; under tsx or vitest (a .ts module), worker.ts loaded through tsx's API (a worker's
 * `--import tsx` does not reach the worker's own entry on Node 20).
 */
export function startWorker(): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./worker.js', self));
  const target = new URL('./worker.ts', self).href;
  const pkg = createRequire(self).resolve('tsx/package.json');
  const api = pathToFileURL(join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs')).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(target)}, ${JSON.stringify(target)}));`;
  return new Worker(boot, { eval: true });
}

export type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Task {
  body: RequestBody;
  transfer: ArrayBuffer[];
  onMessage: (msg: WorkerResponse) => boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  id: number;
}

export class WorkerPoolClosedError extends Error {
  override readonly name = 'WorkerPoolClosedError';
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  readonly size: number;

  constructor(size = Math.min(2, availableParallelism())) {
    this.size = Math.max(1, size);
  }

  /**
   * Runs one request; `onMessage` sees every message of it and returns true on the last one.
   * Resolves after that message, rejects when the worker dies.
   */
  run(body: RequestBody, onMessage: (msg: WorkerResponse) => boolean, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.closed) return Promise.reject(new WorkerPoolClosedError('the backtest workers are shut down'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ body, transfer, onMessage, resolve, reject });
      this.pump();
    });
  }

  /** Busy workers plus queued requests. */
  get load(): number {
    return this.slots.filter((s) => s.task !== null).length + this.queue.length;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === null);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const task = this.queue.shift()!;
      slot.task = task;
      slot.id = this.nextId++;
      slot.worker.ref();
      slot.worker.postMessage({ ...task.body, id: slot.id } as WorkerRequest, task.transfer);
    }
  }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, task: null, id: 0 };
    this.slots.push(slot);
    worker.on('message', (msg: WorkerResponse) => {
      const task = slot.task;
      if (!task || msg.id !== slot.id) return;
      let last: boolean;
      try {
        last = task.onMessage(msg);
      } catch (err) {
        last = true;
        this.finish(slot);
        task.reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (last) {
        this.finish(slot);
        task.resolve();
      }
    });
    const fail = (err: Error): void => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const task = slot.task;
      slot.task = null;
      task?.reject(err);
      this.pump();
    };
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`a backtest worker stopped (exit code ${code})`)));
    return slot;
  }

  private finish(slot: Slot): void {
    slot.task = null;
    slot.worker.unref();
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new WorkerPoolClosedError('the backtest workers are shut down'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
