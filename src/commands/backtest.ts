/**
 * /backtest <strategy> [symbol] <period> [key=value ...]
 * Parses, starts the job on the BacktestService and returns at once (the chat stays usable); a
 * progress message is edited as the job runs, then the result comes as a table and a PNG chart.
 */
import type { App } from '../app/app.js';
import { UserInputError } from '../app/errors.js';
import { html, joinHtml, raw, type RawHtml } from '../bot/html.js';
import { resultText } from '../backtest/format.js';
import { formatSpan } from '../backtest/period.js';
import { BACKTEST_USAGE, parseBacktestArgs, RequestError } from '../backtest/request.js';
import { describeRequest, type BacktestService } from '../backtest/service.js';
import type { BacktestOutcome, Progress } from '../backtest/types.js';
import type { CommandSpec, MessageRef, Responder } from './types.js';

/** How the commands find the service (the app carries it once wired). */
export type ServiceLookup = (app: App) => BacktestService | null | undefined;

export interface BacktestCommandOptions {
  /** Unexpected failures of a background job (log them); the user gets one apology line. */
  onError?: (err: unknown) => void;
  /** Least time between two progress edits (Telegram limits edits). Default 1500 ms. */
  editIntervalMs?: number;
  /** Wall clock for throttling edits. Default Date.now. */
  now?: () => number;
}

/** The service from `app.backtest`, once the app has one. */
export const fromApp: ServiceLookup = (app) => (app as App & { backtest?: BacktestService }).backtest;

export const NOT_AVAILABLE = 'Backtesting is not set up in this process.';
const MAX_ARGS = 500;

export function tokens(args: string): string[] {
  if (args.length > MAX_ARGS) throw new UserInputError(`That is too long (${args.length} characters); keep it under ${MAX_ARGS}.`);
  return args.split(/\s+/).filter(Boolean);
}

/** Turns the parser's sentence into the bot's user-input error. */
export function userInput<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof RequestError) throw new UserInputError(err.message.endsWith('.') ? err.message : `${err.message}.`);
    throw err;
  }
}

/** A progress message that is edited at most every `interval` ms (the final edit always goes). */
export class ProgressMessage {
  private last = -Infinity;
  private pending: Promise<void> = Promise.resolve();
  constructor(
    private readonly respond: Responder,
    private readonly ref: MessageRef,
    private readonly interval: number,
    private readonly now: () => number,
  ) {}

  update(text: RawHtml): void {
    const t = this.now();
    if (t - this.last < this.interval) return;
    this.last = t;
    this.pending = this.pending.then(() => this.respond.edit(this.ref, { html: text })).catch(() => undefined);
  }

  async finish(text: RawHtml): Promise<void> {
    await this.pending;
    await this.respond.edit(this.ref, { html: text }).catch(() => undefined);
  }
}

export const progressLine = (what: string, p: Progress): RawHtml => html`⏳ ${what}: ${p.text}…`;

export function resultHtml(out: BacktestOutcome): RawHtml {
  const t = resultText(out.result);
  const d = out.result.data;
  const parts: RawHtml[] = [
    html`<b>📊 ${t.title}</b> · ${formatSpan(d.to - d.from)} on ${d.timeframe}`,
    html`<i>${t.description}</i>`,
    html`<pre>${t.table.join('\n')}</pre>`,
    html`${t.data}`,
  ];
  for (const n of t.notes) parts.push(html`ℹ️ ${n}`);
  for (const w of t.warnings) parts.push(html`⚠️ ${w}`);
  parts.push(html`<blockquote expandable>Assumptions:\n${t.assumptions.map((a) => `• ${a}`).join('\n')}</blockquote>`);
  return joinHtml(parts);
}

export function backtestCommandFor(lookup: ServiceLookup, opts: BacktestCommandOptions = {}): CommandSpec {
  const interval = opts.editIntervalMs ?? 1_500;
  const now = opts.now ?? Date.now;
  return {
    name: 'backtest',
    summary: 'Test a strategy on past prices: result table and chart',
    example: '/backtest dca 30d',
    minRole: 'viewer',
    async run({ app, actor, args, respond }) {
      const service = lookup(app);
      if (!service) throw new UserInputError(NOT_AVAILABLE);
      if (args.trim() === '') throw new UserInputError(`${BACKTEST_USAGE}.`);
      const req = userInput(() => parseBacktestArgs(tokens(args)));
      const busy = service.busyWith(actor.id);
      if (busy) throw new UserInputError(`You already have ${busy} running; wait for its result, then try again.`);
      const what = `Backtest ${describeRequest(req)}`;
      let progress: ProgressMessage | null = null;
      const job = service.run(req, { userId: actor.id, onProgress: (p) => progress?.update(progressLine(what, p)) });
      job.catch(() => undefined); // handled below; this only keeps a failed reply from leaving it unhandled
      const ref = await respond.reply({ html: html`⏳ ${what}: starting…` });
      progress = new ProgressMessage(respond, ref, interval, now);
      const done = progress;
      service.track(job.then(
        async (out) => {
          await done.finish(html`✅ ${what}: done in ${(out.durationMs / 1000).toFixed(1)} s${out.runId !== null ? raw(` (run #${out.runId})`) : ''}.`);
          await respond.reply({ html: resultHtml(out) });
          if (out.png) await respond.photo(out.png, html`${out.result.symbol} ${out.result.strategy}: equity against buy-and-hold, drawdown below`);
        },
        async (err: unknown) => {
          if (err instanceof RequestError) await done.finish(html`⚠️ ${what}: ${err.message}`);
          else {
            opts.onError?.(err);
            await done.finish(html`❌ ${what} failed unexpectedly; nothing was changed. The details are in the log.`);
          }
        },
      )).catch((err: unknown) => opts.onError?.(err));
      return { detail: 'started' };
    },
  };
}

/** /backtest using `app.backtest`. */
export const backtestCommand: CommandSpec = backtestCommandFor(fromApp);
