/**
 * Candle replay from a directory of CSV files (MARKET_DATA_DIR; names like
 * binance_BTCUSDT_1m_2022-01-01_2023-01-01.csv.gz) at a chosen speed: data time runs `speed` times
 * faster than the wall clock, from `start`. Files load lazily, one per symbol: the finest timeframe
 * whose range covers the start.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Clock } from '../../lib/clock.js';
import { TIMEFRAME_MS, type Timeframe } from '../types.js';
import { parseCandleFileName, readCandleColumns, type CandleFileName } from './csv.js';
import { MemoryCandleSource, type CandleSeries } from './memory.js';

/** Data time that runs `speed` times as fast as a wall clock, from `start`. */
export class ReplayClock implements Clock {
  private readonly wallStart: number;
  constructor(
    private readonly wall: Clock,
    readonly start: number,
    readonly speed: number,
  ) {
    if (!(speed > 0)) throw new RangeError(`replay speed must be > 0, got ${speed}`);
    this.wallStart = wall.now();
  }
  now(): number {
    return Math.floor(this.start + (this.wall.now() - this.wallStart) * this.speed);
  }
}

export interface CandleFileEntry extends CandleFileName {
  path: string;
  fromMs: number;
  toMs: number;
}

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];

/** 'BTCUSDT' -> 'BTC/USDT' by known quote suffixes; null when none matches. */
export function symbolOfPair(pair: string): string | null {
  for (const q of QUOTES) if (pair.endsWith(q) && pair.length > q.length) return `${pair.slice(0, -q.length)}/${q}`;
  return null;
}

export async function indexCandleDir(dir: string): Promise<CandleFileEntry[]> {
  const out: CandleFileEntry[] = [];
  for (const f of (await readdir(dir)).sort()) {
    const n = parseCandleFileName(f);
    if (!n) continue;
    out.push({ ...n, path: join(dir, f), fromMs: Date.parse(`${n.from}T00:00:00Z`), toMs: Date.parse(`${n.to}T00:00:00Z`) });
  }
  return out;
}

/** The finest file of a pair covering `at`, else null. */
export function chooseFile(files: readonly CandleFileEntry[], pair: string, at: number): CandleFileEntry | null {
  const fits = files
    .filter((f) => f.pair === pair && f.fromMs <= at && at < f.toMs)
    .sort((a, b) => TIMEFRAME_MS[a.timeframe] - TIMEFRAME_MS[b.timeframe]);
  return fits[0] ?? null;
}

export interface CsvReplayOptions {
  dir: string;
  /** The wall clock the replay runs against. */
  wallClock: Clock;
  /** Data time per wall time; 60 = one minute of candles per second. Default 1. */
  speed?: number;
  /** Data time to start at. Default: the start of the finest BTCUSDT file (else of the first file). */
  start?: number;
}

export class CsvReplaySource extends MemoryCandleSource {
  private readonly loaded = new Map<string, Promise<CandleSeries | null>>();

  private constructor(
    private readonly files: readonly CandleFileEntry[],
    private readonly bySymbol: Map<string, string>,
    clock: ReplayClock,
    description: string,
  ) {
    super(new Map(), clock, { kind: 'replay', description });
  }

  static async open(opts: CsvReplayOptions): Promise<CsvReplaySource> {
    const dir = resolve(opts.dir);
    const files = await indexCandleDir(dir);
    if (files.length === 0) throw new Error(`MARKET_DATA_DIR ${dir} has no candle files (expected names like binance_BTCUSDT_1m_2022-01-01_2023-01-01.csv.gz)`);
    const speed = opts.speed ?? 1;
    const start = opts.start ?? defaultStart(files);
    const bySymbol = new Map<string, string>();
    for (const f of files) {
      const s = symbolOfPair(f.pair);
      if (s) bySymbol.set(s, f.pair);
    }
    const clock = new ReplayClock(opts.wallClock, start, speed);
    const covered = [...bySymbol].filter(([, pair]) => chooseFile(files, pair, start)).map(([s]) => s);
    const description = `candle replay from ${dir} starting ${new Date(start).toISOString()} at ${speed}x (${covered.join(', ') || 'no symbol covers the start'})`;
    return new CsvReplaySource(files, bySymbol, clock, description);
  }

  get replayClock(): ReplayClock {
    return this.clock as ReplayClock;
  }

  /** Symbols with data at the replay's start. */
  symbols(): string[] {
    return [...this.bySymbol.keys()].filter((s) => this.baseTimeframe(s) !== null);
  }

  private fileOf(symbol: string): CandleFileEntry | null {
    const pair = this.bySymbol.get(symbol);
    return pair ? chooseFile(this.files, pair, this.replayClock.start) : null;
  }

  override baseTimeframe(symbol: string): Timeframe | null {
    return this.fileOf(symbol)?.timeframe ?? null;
  }

  protected override seriesOf(symbol: string): Promise<CandleSeries | null> {
    let p = this.loaded.get(symbol);
    if (!p) {
      const file = this.fileOf(symbol);
      p = file ? readCandleColumns(file.path).then((columns) => ({ timeframe: file.timeframe, columns })) : Promise.resolve(null);
      this.loaded.set(symbol, p);
      p.catch(() => this.loaded.delete(symbol));
    }
    return p;
  }
}

function defaultStart(files: readonly CandleFileEntry[]): number {
  const btc = files.filter((f) => f.pair === 'BTCUSDT').sort((a, b) => TIMEFRAME_MS[a.timeframe] - TIMEFRAME_MS[b.timeframe] || a.fromMs - b.fromMs);
  return (btc[0] ?? files[0]!).fromMs;
}
