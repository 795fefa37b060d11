/**
 * BacktestService: the Telegram-free application layer the bot and the CLI call. It resolves the
 * settings (presets + what was typed), the market rules and the candles, runs the work on worker
 * threads (so the bot stays responsive), keeps one running job per user, and stores every run.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Preset } from '../engines/presets.js';
import { isStrategyName, STRATEGY_NAMES } from '../engines/registry.js';
import type { StrategyName } from '../engines/types.js';
import { snapshotMarkets } from '../exchange/markets/snapshot.js';
import type { MarketRules, Timeframe } from '../exchange/types.js';
import type { Clock } from '../lib/clock.js';
import { transferList } from './columns.js';
import { resolveData, type CandleSource } from './data.js';
import { runSweep, type OptimizeOutcome } from './optimize.js';
import { isTimeframe } from './period.js';
import { WorkerPool } from './pool.js';
import type { WorkerResponse } from './protocol.js';
import { RequestError, type BacktestRequest, type OptimizeRequest } from './request.js';
import { mergeSettings, pickPreset } from './settings.js';
import type { SimExchangeOptions } from './sim-exchange.js';
import { BacktestRunStore, CandleCacheStore } from './store.js';
import type { BacktestJob, BacktestOutcome, BacktestResult, DataRef, Progress } from './types.js';

export interface BacktestServiceDeps {
  clock: Clock;
  /** MARKET_DATA_DIR: candle files to use first. */
  marketDataDir?: string | null;
  /** Candles through the exchange port when the folder has none (paged, cached). */
  candles?: CandleSource | null;
  /** Stores runs and caches fetched candles; without it nothing is stored. */
  prisma?: PrismaClient | null;
  /** Strategy defaults (configs/presets). */
  presets?: readonly Preset[];
  /** Market rules; default: the offline snapshot. */
  markets?: () => Promise<ReadonlyMap<string, MarketRules>>;
  /** backtest.maxOptimizeRuns. */
  maxOptimizeRuns: number;
  /** Default simulation settings (slippage from paper.slippage). */
  sim?: Partial<SimExchangeOptions>;
  /** Worker threads (default: up to 2). */
  workers?: number;
  /** Accept a synthetic price source (tests); default false. */
  allowSynthetic?: boolean;
}

export interface RunOptions {
  /** Who asks (one running job per user); null for the CLI. */
  userId?: number | null;
  onProgress?: (p: Progress) => void;
  /** Render the PNG chart (default true). */
  chart?: boolean;
  /** Store the run (default true when a database is given). */
  store?: boolean;
}

/** The user already has a job running; the message says which. */
export class BacktestBusyError extends RequestError {
  override readonly name = 'BacktestBusyError';
}

interface Resolved {
  job: BacktestJob;
  data: DataRef;
}

export class BacktestService {
  private readonly pool: WorkerPool;
  private readonly running = new Map<number, { what: string; since: number }>();
  private readonly active = new Set<Promise<unknown>>();
  private readonly runs: BacktestRunStore | null;
  private readonly cache: CandleCacheStore | null;

  constructor(private readonly deps: BacktestServiceDeps) {
    this.pool = new WorkerPool(deps.workers);
    this.runs = deps.prisma ? new BacktestRunStore(deps.prisma) : null;
    this.cache = deps.prisma ? new CandleCacheStore(deps.prisma) : null;
  }

  get maxOptimizeRuns(): number {
    return this.deps.maxOptimizeRuns;
  }

  /** What the user is running, or null. */
  busyWith(userId: number): string | null {
    return this.running.get(userId)?.what ?? null;
  }

  async run(req: BacktestRequest, opts: RunOptions = {}): Promise<BacktestOutcome> {
    return this.exclusive(opts.userId ?? null, `a backtest (${describeRequest(req)})`, async () => {
      const started = this.deps.clock.now();
      const { job, data } = await this.resolve(req, opts, opts.chart ?? true);
      let done: { result: BacktestResult; png: Uint8Array | null } | null = null;
      await this.pool.run({ type: 'backtest', job, data }, (msg) => {
        done = this.onSingle(msg, opts.onProgress) ?? done;
        return msg.type === 'done' || msg.type === 'error';
      }, data.kind === 'columns' ? transferList(data.cols) : []);
      const out = done as { result: BacktestResult; png: Uint8Array | null } | null;
      if (!out) throw new Error('the backtest worker finished without a result');
      const durationMs = this.deps.clock.now() - started;
      let runId: number | null = null;
      if (this.runs && opts.store !== false) {
        const r = out.result;
        runId = await this.runs.record({
          userId: opts.userId ?? null, strategy: r.strategy, symbol: r.symbol, timeframe: r.data.timeframe, from: r.data.from, to: r.data.to,
          config: r.config, dataSource: r.data.source, result: r, durationMs,
        });
      }
      return { result: out.result, png: out.png, durationMs, runId };
    });
  }

  async optimize(req: OptimizeRequest, opts: RunOptions = {}): Promise<OptimizeOutcome> {
    return this.exclusive(opts.userId ?? null, `a parameter sweep (${describeRequest(req)})`, async () => {
      const started = this.deps.clock.now();
      const { job, data } = await this.resolve(req, opts, false);
      const out = await runSweep(this.pool, job, data, req, this.deps.maxOptimizeRuns, opts.onProgress);
      out.durationMs = this.deps.clock.now() - started;
      if (this.runs && opts.store !== false) {
        const records = out.all.filter((r) => r.metrics !== null).map((r) => ({
          userId: opts.userId ?? null, strategy: job.strategy, symbol: job.symbol, timeframe: out.data.timeframe, from: out.data.from, to: out.data.to,
          config: r.config, dataSource: out.data.source, result: { sweep: { values: r.values, metric: req.metric }, metrics: r.metrics }, durationMs: 0,
        }));
        out.stored = await this.runs.recordMany(records);
      }
      return out;
    });
  }

  private onSingle(msg: WorkerResponse, onProgress?: (p: Progress) => void): { result: BacktestResult; png: Uint8Array | null } | null {
    if (msg.type === 'progress') onProgress?.(msg.progress);
    else if (msg.type === 'error') throw msg.input ? new RequestError(msg.message) : new Error(msg.message);
    else if (msg.type === 'done') return { result: msg.result, png: msg.png };
    return null;
  }

  /** One job per user at a time; the CLI (null) is not limited. */
  private async exclusive<T>(userId: number | null, what: string, work: () => Promise<T>): Promise<T> {
    if (userId !== null) {
      const busy = this.running.get(userId);
      if (busy) {
        const secs = Math.max(0, Math.round((this.deps.clock.now() - busy.since) / 1000));
        throw new BacktestBusyError(`You already have ${busy.what} running (started ${secs} s ago); wait for its result, then try again.`);
      }
      this.running.set(userId, { what, since: this.deps.clock.now() });
    }
    const p = work();
    this.active.add(p);
    try {
      return await p;
    } finally {
      this.active.delete(p);
      if (userId !== null) this.running.delete(userId);
    }
  }

  /** Settings, market and candles for a request; every problem is one RequestError sentence. */
  private async resolve(req: BacktestRequest, opts: RunOptions, chart: boolean): Promise<Resolved> {
    if (!isStrategyName(req.strategy)) throw new RequestError(`Unknown strategy "${req.strategy}"; use one of ${STRATEGY_NAMES.join(', ')}.`);
    const strategy: StrategyName = req.strategy;
    const markets = await (this.deps.markets ?? (() => Promise.resolve(snapshotMarkets())))();
    const typed = req.symbol !== undefined ? findMarket(markets, req.symbol) : null;
    const preset = pickPreset(this.deps.presets ?? [], strategy, typed?.symbol, req.preset);
    if (typeof preset === 'string') throw new RequestError(`${capital(preset)}.`);
    const rules = typed ?? findMarket(markets, preset?.symbol ?? 'BTC/USDT');
    // Swept keys count as typed (a swept lower/upper replaces the preset's range_pct too).
    const swept = 'ranges' in req ? Object.fromEntries((req as OptimizeRequest).ranges.map((r) => [r.key, r.values[0]!])) : {};
    const config = mergeSettings(preset, { ...req.settings, ...swept });
    let tf = req.timeframe;
    const engineTf = config.timeframe;
    if (typeof engineTf === 'string' && isTimeframe(engineTf)) {
      if (tf !== undefined && tf !== engineTf) throw new RequestError(`This ${strategy} bot trades ${engineTf} candles; drop tf=${tf} or set timeframe=${tf}.`);
      tf = engineTf as Timeframe;
    }
    const data = await resolveData(
      { marketDataDir: this.deps.marketDataDir ?? null, candles: this.deps.candles ?? null, cache: this.cache, clock: this.deps.clock, allowSynthetic: this.deps.allowSynthetic ?? false },
      rules, req.period, tf,
      (done, total) => opts.onProgress?.({ stage: 'data', fraction: total > 0 ? done / total : 1, text: `fetching candles ${done}/${total}` }),
    );
    const d = this.deps.sim ?? {};
    const sim: SimExchangeOptions = {
      slippage: req.slippage ?? d.slippage ?? 0.0005,
      pessimistic: req.pessimistic ?? d.pessimistic ?? false,
      volumeShare: req.partial !== undefined ? req.partial : d.volumeShare ?? null,
    };
    return { job: { strategy, symbol: rules.symbol, config, rules, sim, chart }, data };
  }

  /** Counts `p` (e.g. delivering a result) as work in progress for whenIdle. */
  track<T>(p: Promise<T>): Promise<T> {
    this.active.add(p);
    const done = (): void => {
      this.active.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** Resolves when no job is running and no tracked delivery is pending (the demo waits for it). */
  async whenIdle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const normalise = (s: string): string => s.trim().toUpperCase().replace('-', '/');

export function describeRequest(req: BacktestRequest): string {
  return [req.strategy, req.symbol ? normalise(req.symbol) : null, req.period.text].filter(Boolean).join(' ');
}

/** BTC/USDT, btc/usdt, BTCUSDT, BTC-USDT; one sentence for an unknown market. */
export function findMarket(markets: ReadonlyMap<string, MarketRules>, input: string): MarketRules {
  const raw = normalise(input);
  const direct = markets.get(raw);
  if (direct) return direct;
  const compact = raw.replace('/', '');
  for (const m of markets.values()) if (m.id.toUpperCase() === compact) return m;
  const sample = [...markets.keys()].slice(0, 6).join(', ');
  throw new RequestError(`Unknown market "${input}"; use a symbol such as BTC/USDT (known here: ${sample}${markets.size > 6 ? ', …' : ''}).`);
}
