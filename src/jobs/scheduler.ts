/**
 * The scheduled jobs of a process (node-cron). Every run logs its duration and feeds the job
 * metrics; runs never overlap (a run still going when the next fire comes is reported and skipped).
 * A `global` job fires once per schedule across all processes: with Redis through the cluster's
 * RunCoordinator, in one process trivially.
 *
 *   const jobs = new JobScheduler({ logger, coordinator });
 *   jobs.add({ name: 'outbox-prune', cron: '17 3 * * *', global: true, run: () => prune() });
 *   await jobs.stop();
 */
import { performance } from 'node:perf_hooks';
import { schedule, type RunCoordinator, type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger.js';

export interface JobSpec {
  /** Also the coordination key: the same job in every process must have the same name. */
  name: string;
  /** node-cron expression (seconds field allowed). */
  cron: string;
  timezone?: string;
  /** Once per fire across processes (true) or in every process that schedules it (false). */
  global: boolean;
  /** Returns details worth logging (counts), or nothing. */
  run: () => Promise<unknown> | unknown;
  /** Level of the per-run duration line (default info; frequent jobs use debug). */
  logLevel?: 'info' | 'debug';
}

export interface JobObserver {
  observeJob(job: string, ms: number, outcome: 'ok' | 'error' | 'skipped'): void;
}

export class JobScheduler {
  private readonly tasks = new Map<string, { task: ScheduledTask; spec: JobSpec }>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly d: {
      logger: Logger;
      /** Redis coordinator with several processes; null: this process runs every fire. */
      coordinator: RunCoordinator | null;
      metrics?: JobObserver;
      /** How long a fire's election key lives (ms). Default 10 min. */
      electionTtlMs?: number;
    },
  ) {}

  add(spec: JobSpec): ScheduledTask {
    if (this.tasks.has(spec.name)) throw new Error(`job ${spec.name} is already scheduled`);
    const distributed = spec.global && this.d.coordinator !== null;
    const task = schedule(spec.cron, () => this.runNow(spec.name), {
      name: spec.name,
      noOverlap: true,
      ...(spec.timezone ? { timezone: spec.timezone } : {}),
      ...(distributed ? { distributed: true, runCoordinator: this.d.coordinator!, distributedLease: this.d.electionTtlMs ?? 600_000 } : {}),
    });
    task.on('execution:overlap', () => {
      this.d.logger.warn({ job: spec.name }, 'job skipped: its previous run is still going');
      this.d.metrics?.observeJob(spec.name, 0, 'skipped');
    });
    this.tasks.set(spec.name, { task, spec });
    return task;
  }

  /** Runs a job now in this process (no election), logging its duration. Never rejects. */
  runNow(name: string): Promise<unknown> {
    const entry = this.tasks.get(name);
    if (!entry) return Promise.reject(new Error(`no job named ${name}`));
    const { spec } = entry;
    const started = performance.now();
    const p = (async () => {
      try {
        const details = await spec.run();
        const ms = Math.round(performance.now() - started);
        const extra = details && typeof details === 'object' ? (details as Record<string, unknown>) : {};
        this.d.logger[spec.logLevel ?? 'info']({ job: spec.name, ms, ...extra }, 'job done');
        this.d.metrics?.observeJob(spec.name, ms, 'ok');
        return details;
      } catch (err) {
        const ms = Math.round(performance.now() - started);
        this.d.logger.error({ job: spec.name, ms, err }, 'job failed; it runs again at its next time');
        this.d.metrics?.observeJob(spec.name, ms, 'error');
        return undefined;
      }
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  names(): string[] {
    return [...this.tasks.keys()];
  }

  /** Stops every schedule and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const { task } of this.tasks.values()) {
      await task.stop();
      await task.destroy();
    }
    this.tasks.clear();
    await Promise.allSettled([...this.running]);
  }
}
