/** Command-line flags of `npm run backtest`; everything else is the backtest request itself. */

export interface CliOptions {
  /** The request words: <strategy> <symbol> <period> [key=value ...]. */
  words: string[];
  data: string | null;
  json: boolean;
  chart: string | null;
  optimize: boolean;
  store: boolean;
  help: boolean;
}

export const CLI_USAGE = `usage: npm run backtest -- <strategy> <symbol> <period> [key=value ...] [--data DIR] [--json] [--chart out.png] [--no-store]
       npm run backtest -- --optimize <strategy> <symbol> <period> key=a..b:step ... [metric=sharpe] [--data DIR] [--json]
  <period>: 7d, 30d, 90d, 1y, ... (ending at the end of the data) or 2022-01-01..2022-03-01
  reserved keys: tf=1m|5m|15m|1h|4h|1d  preset=NAME  pessimistic=yes  slippage=0.05  partial=10  from=DATE to=DATE
  --data DIR     candle CSV folder (default: MARKET_DATA_DIR, else the exchange)
  --json         print the result object only
  --chart FILE   write the PNG chart
  --optimize     parameter sweep (top 5 by metric=profit|sharpe|sortino|drawdown|winrate|pf)
  --no-store     do not record the run in the database`;

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { words: [], data: null, json: false, chart: null, optimize: false, store: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (flag: string): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
      return v;
    };
    if (a === '--data') o.data = value(a);
    else if (a === '--chart') o.chart = value(a);
    else if (a === '--json') o.json = true;
    else if (a === '--optimize') o.optimize = true;
    else if (a === '--no-store') o.store = false;
    else if (a === '--help' || a === '-h') o.help = true;
    else if (a.startsWith('--')) throw new CliUsageError(`unknown option ${a}`);
    else o.words.push(a);
  }
  if (!o.help && o.words.length === 0) throw new CliUsageError('give a strategy, a symbol and a period');
  if (o.optimize && o.chart) throw new CliUsageError('--chart goes with a single backtest, not with --optimize');
  return o;
}
