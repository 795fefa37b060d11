import { z } from 'zod';

/** An IANA time zone name that this Node.js build knows. */
export const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a known time zone; expected an IANA name such as UTC or Europe/Berlin' },
);

const alertLevel = z.enum(['on', 'silent', 'off']);

/**
 * configs/default.yaml: settings that are not secrets and not per-deployment addresses.
 * Every key has a default, so an empty file is valid; unknown keys are refused (typos surface at start).
 */
export const appConfigSchema = z
  .object({
    timezone: timeZone.default('UTC'),
    paper: z
      .object({
        /** Starting paper balances per asset. */
        balances: z.record(z.string().regex(/^[A-Z0-9]{2,10}$/, 'asset names are upper case, e.g. USDT'), z.number().nonnegative()).default({ USDT: 10_000 }),
        /** Slippage applied to paper market orders, as a fraction (0.0005 = 0.05 %). */
        slippage: z.number().min(0).max(0.05).default(0.0005),
        /** Candle replay speed for MARKET_DATA_DIR (1 = real time, 60 = a minute per second). */
        replaySpeed: z.number().positive().max(1_000_000).default(60),
      })
      .strict()
      .prefault({}),
    trading: z
      .object({
        /** Seconds between two ticks of a running bot. */
        tickSeconds: z.number().int().min(1).max(3600).default(5),
        /** Seconds between state snapshots. */
        snapshotSeconds: z.number().int().min(5).max(3600).default(60),
      })
      .strict()
      .prefault({}),
    risk: z
      .object({
        /** Account-wide daily loss limit in quote currency (realised + unrealised since local midnight). */
        dailyLossLimit: z.number().positive().default(500),
        /** Account-wide maximum exposure in quote currency. */
        maxExposure: z.number().positive().default(10_000),
        /** Maximum drawdown from peak equity, percent. */
        maxDrawdownPct: z.number().positive().max(100).default(25),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        /** Hour (0-23, in `timezone`) of the daily summary. */
        dailySummaryHour: z.number().int().min(0).max(23).default(20),
        /** Minutes the exchange may be unreachable before an alert. */
        exchangeDownMinutes: z.number().int().min(1).max(1440).default(5),
        defaults: z.record(z.string(), alertLevel).default({}),
      })
      .strict()
      .prefault({}),
    telegram: z
      .object({
        /** Upper bound of retries of one Bot API call (429 / 5xx / network). */
        maxRetryAttempts: z.number().int().min(0).max(20).default(5),
        /** Longest wait between two retries, seconds. */
        maxRetryDelaySeconds: z.number().int().min(1).max(3600).default(30),
        /** Lifetime of a confirmation button, seconds. */
        confirmationSeconds: z.number().int().min(10).max(3600).default(60),
      })
      .strict()
      .prefault({}),
    backtest: z
      .object({
        /** Largest number of runs one /optimize may ask for. */
        maxOptimizeRuns: z.number().int().min(1).max(100_000).default(500),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AppConfig = z.output<typeof appConfigSchema>;
