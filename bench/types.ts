/** One benchmark measure, printed as one JSON line by `npm run bench`. */
export interface BenchResult {
  bench: string;
  value: number;
  unit: string;
  [detail: string]: unknown;
}

export interface Benchmark {
  /** The measure names this benchmark prints (used to select it: `npm run bench -- NAME`). */
  names: string[];
  run(): Promise<BenchResult[]>;
}
