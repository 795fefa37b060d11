/**
 * Prometheus metrics (prom-client), one Registry per process, served at /metrics on HTTP_PORT.
 * Names start with tgt_. Fed by the trading loop (ticks, cycles), the exchange wrapper (orders,
 * errors by kind), the adapter's events (retries), the alert sender and outbox (queued, sent), and
 * the database (bots by state, read when scraped).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AdapterEvent } from '../exchange/ccxt/adapter.js';
import type { TickReport } from '../trading/types.js';

export interface MetricsSources {
  /** Bots by desired/risk state (read at scrape time). */
  botCounts?: () => Promise<{ running: number; paused: number; halted: number }>;
  /** Outbox rows by state (read at scrape time). */
  outboxCounts?: () => Promise<{ queued: number; delivered: number; parked: number }>;
  /** Runners this process holds (read at scrape time). */
  runnersHeld?: () => number;
}

const TICK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class Metrics {
  readonly registry: Registry;
  readonly ticks: Counter<'outcome'>;
  readonly tickSeconds: Histogram;
  readonly cycleSeconds: Histogram;
  readonly slowCycles: Counter;
  readonly skippedTicks: Counter;
  readonly orders: Counter<'action'>;
  readonly fills: Counter;
  readonly exchangeErrors: Counter<'op' | 'kind' | 'reason'>;
  readonly exchangeEvents: Counter<'type' | 'reason'>;
  readonly alertsEnqueued: Counter;
  readonly alertsSent: Counter;
  readonly alertsDelivered: Counter;
  readonly jobSeconds: Histogram<'job'>;
  readonly jobRuns: Counter<'job' | 'outcome'>;
  readonly leaseEvents: Counter<'event'>;
  private readonly sources: MetricsSources = {};

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'tgt_process_' });
    const r = [registry];
    this.ticks = new Counter({ name: 'tgt_ticks_total', help: 'Bot ticks run, by outcome (ok, error, lease_lost)', labelNames: ['outcome'], registers: r });
    this.tickSeconds = new Histogram({ name: 'tgt_tick_duration_seconds', help: 'Duration of one bot tick', buckets: TICK_BUCKETS, registers: r });
    this.cycleSeconds = new Histogram({ name: 'tgt_cycle_duration_seconds', help: 'Duration of one trading cycle (every bot of this process once)', buckets: JOB_BUCKETS, registers: r });
    this.slowCycles = new Counter({ name: 'tgt_slow_cycles_total', help: 'Trading cycles that took longer than the tick interval', registers: r });
    this.skippedTicks = new Counter({ name: 'tgt_skipped_ticks_total', help: 'Scheduled ticks skipped because the previous cycle was still running', registers: r });
    this.orders = new Counter({ name: 'tgt_orders_total', help: 'Order requests to the exchange, by action (placed, cancelled, rejected, unknown)', labelNames: ['action'], registers: r });
    this.fills = new Counter({ name: 'tgt_fills_total', help: 'Fills recorded', registers: r });
    this.exchangeErrors = new Counter({ name: 'tgt_exchange_errors_total', help: 'Failed exchange calls, by operation, kind and reason', labelNames: ['op', 'kind', 'reason'], registers: r });
    this.exchangeEvents = new Counter({ name: 'tgt_exchange_events_total', help: 'Exchange adapter events (retries, lookups of unknown outcomes, resyncs)', labelNames: ['type', 'reason'], registers: r });
    this.alertsEnqueued = new Counter({ name: 'tgt_alerts_enqueued_total', help: 'Alert wake-ups after alerts were queued by this process', registers: r });
    this.alertsSent = new Counter({ name: 'tgt_alerts_sent_total', help: 'Telegram messages sent by the alert sender', registers: r });
    this.alertsDelivered = new Counter({ name: 'tgt_alerts_delivered_total', help: 'Outbox rows marked delivered', registers: r });
    this.jobSeconds = new Histogram({ name: 'tgt_job_duration_seconds', help: 'Duration of a scheduled job', labelNames: ['job'], buckets: JOB_BUCKETS, registers: r });
    this.jobRuns = new Counter({ name: 'tgt_job_runs_total', help: 'Scheduled job runs, by job and outcome (ok, error, skipped)', labelNames: ['job', 'outcome'], registers: r });
    this.leaseEvents = new Counter({ name: 'tgt_lease_events_total', help: 'Bot lease events (acquired, released, lost)', labelNames: ['event'], registers: r });

    const sources = this.sources;
    new Gauge({
      name: 'tgt_bots',
      help: 'Bots by state (running, paused, halted)',
      labelNames: ['state'],
      registers: r,
      async collect() {
        if (!sources.botCounts) return;
        const c = await sources.botCounts();
        for (const [k, v] of Object.entries(c)) this.set({ state: k }, v);
      },
    });
    new Gauge({
      name: 'tgt_alerts_queued',
      help: 'Outbox rows by state (queued, delivered, parked)',
      labelNames: ['state'],
      registers: r,
      async collect() {
        if (!sources.outboxCounts) return;
        const c = await sources.outboxCounts();
        for (const [k, v] of Object.entries(c)) this.set({ state: k }, v);
      },
    });
    new Gauge({
      name: 'tgt_runners',
      help: 'Bots this process runs now',
      registers: r,
      collect() {
        if (sources.runnersHeld) this.set(sources.runnersHeld());
      },
    });
  }

  /** Where the scrape-time gauges read from (set once the database and loop exist). */
  setSources(s: MetricsSources): void {
    Object.assign(this.sources, s);
  }

  onTick(r: TickReport): void {
    this.ticks.inc({ outcome: 'ok' });
    this.tickSeconds.observe(r.durationMs / 1000);
    if (r.fills > 0) this.fills.inc(r.fills);
  }

  onTickError(leaseLost: boolean): void {
    this.ticks.inc({ outcome: leaseLost ? 'lease_lost' : 'error' });
  }

  onCycle(ms: number): void {
    this.cycleSeconds.observe(ms / 1000);
  }

  onSlowCycle(ms: number): void {
    if (ms === 0) this.skippedTicks.inc();
    else this.slowCycles.inc();
  }

  onAdapterEvent(e: AdapterEvent): void {
    const reason = 'reason' in e ? e.reason : '';
    this.exchangeEvents.inc({ type: e.type, reason });
  }

  /** Adds what the alert sender did since the last call (its stats are cumulative). */
  private lastSender = { messages: 0, delivered: 0 };
  onSenderStats(s: { messages: number; delivered: number }): void {
    const dm = s.messages - this.lastSender.messages;
    const dd = s.delivered - this.lastSender.delivered;
    if (dm > 0) this.alertsSent.inc(dm);
    if (dd > 0) this.alertsDelivered.inc(dd);
    this.lastSender = { messages: s.messages, delivered: s.delivered };
  }

  observeJob(job: string, ms: number, outcome: 'ok' | 'error' | 'skipped'): void {
    if (outcome !== 'skipped') this.jobSeconds.observe({ job }, ms / 1000);
    this.jobRuns.inc({ job, outcome });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
