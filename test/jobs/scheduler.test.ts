import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { snapshotJob } from '../../src/jobs/app-jobs.js';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/lib/logger.js';
import { Metrics } from '../../src/ops/metrics.js';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination: destination as never }) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobScheduler', () => {
  it('logs each run with its duration, reports failures and skipped overlaps, and never stacks runs', async () => {
    const { lines, logger } = captureLogger();
    const metrics = new Metrics({ defaultMetrics: false });
    const jobs = new JobScheduler({ logger, coordinator: null, metrics });
    let running = 0;
    let most = 0;
    jobs.add({
      name: 'slow',
      cron: '* * * * * *',
      global: true,
      run: async () => {
        running++;
        most = Math.max(most, running);
        await sleep(1_600);
        running--;
        return { items: 3 };
      },
    });
    jobs.add({ name: 'broken', cron: '* * * * * *', global: false, run: () => Promise.reject(new Error('boom')) });
    await sleep(3_300);
    await jobs.stop();
    expect(most).toBe(1);
    const done = lines.filter((l) => l.msg === 'job done' && l.job === 'slow');
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done[0]).toMatchObject({ items: 3 });
    expect(done[0]!.ms as number).toBeGreaterThanOrEqual(1_500);
    expect(lines.some((l) => l.msg === 'job skipped: its previous run is still going' && l.job === 'slow')).toBe(true);
    expect(lines.some((l) => l.job === 'broken' && typeof l.ms === 'number' && /failed/.test(String(l.msg)))).toBe(true);
    const text = await metrics.text();
    expect(text).toMatch(/tgt_job_runs_total\{job="broken",outcome="error"\} [1-9]/);
    expect(text).toMatch(/tgt_job_runs_total\{job="slow",outcome="skipped"\} [1-9]/);
    expect(text).toMatch(/tgt_job_duration_seconds_count\{job="slow"\} [1-9]/);
  });

  it('builds valid schedules for the snapshot job at any interval', () => {
    const d = { prisma: null as never, exchange: null as never, clock: { now: () => 0 } };
    expect(snapshotJob({ ...d, everySeconds: 5 }).cron).toBe('*/5 * * * * *');
    expect(snapshotJob({ ...d, everySeconds: 60 }).cron).toBe('0 */1 * * * *');
    expect(snapshotJob({ ...d, everySeconds: 900 }).cron).toBe('0 */15 * * * *');
  });
});
