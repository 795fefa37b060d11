/**
 * /optimize <strategy> [symbol] <period> key=a..b:step ... [metric=sharpe]
 * A bounded parameter sweep on the worker threads; progress is edited in place, then the top 5
 * come with a plain warning about overfitting.
 */
import { UserInputError } from '../app/errors.js';
import { html, joinHtml, type RawHtml } from '../bot/html.js';
import { dataLine, sweepTable, valuesText } from '../backtest/format.js';
import type { OptimizeOutcome } from '../backtest/optimize.js';
import { OPTIMIZE_USAGE, parseOptimizeArgs, RequestError } from '../backtest/request.js';
import { describeRequest } from '../backtest/service.js';
import { fromApp, NOT_AVAILABLE, ProgressMessage, progressLine, tokens, userInput, type BacktestCommandOptions, type ServiceLookup } from './backtest.js';
import type { CommandSpec } from './types.js';

export function sweepHtml(o: OptimizeOutcome): RawHtml {
  const parts: RawHtml[] = [
    html`<b>🔬 Sweep ${o.strategy} ${o.symbol}</b>: ${o.runs} runs${o.failed > 0 ? ` (${o.failed} refused)` : ''}`,
    html`<pre>${sweepTable(o).join('\n')}</pre>`,
    html`${dataLine(o.data)}`,
  ];
  for (const n of o.data.notes) parts.push(html`ℹ️ ${n}`);
  for (const e of o.errors) parts.push(html`Refused: ${e}`);
  const best = o.top[0];
  if (best) parts.push(html`Try the best on another period: <code>/backtest ${o.strategy} ${o.symbol} 30d ${valuesText(best.values)}</code>`);
  parts.push(html`⚠️ <b>${o.warning}</b>`);
  return joinHtml(parts);
}

export function optimizeCommandFor(lookup: ServiceLookup, opts: BacktestCommandOptions = {}): CommandSpec {
  const interval = opts.editIntervalMs ?? 1_500;
  const now = opts.now ?? Date.now;
  return {
    name: 'optimize',
    summary: 'Sweep strategy settings on past prices: the top 5 (mind overfitting)',
    example: '/optimize grid BTC/USDT 90d lines=10..40:10 range_pct=5..15:5',
    minRole: 'viewer',
    async run({ app, actor, args, respond }) {
      const service = lookup(app);
      if (!service) throw new UserInputError(NOT_AVAILABLE);
      if (args.trim() === '') throw new UserInputError(`${OPTIMIZE_USAGE}.`);
      const req = userInput(() => parseOptimizeArgs(tokens(args), service.maxOptimizeRuns));
      const busy = service.busyWith(actor.id);
      if (busy) throw new UserInputError(`You already have ${busy} running; wait for its result, then try again.`);
      const runs = req.ranges.reduce((n, r) => n * r.values.length, 1);
      const what = `Sweep ${describeRequest(req)} (${runs} runs)`;
      let progress: ProgressMessage | null = null;
      const job = service.optimize(req, { userId: actor.id, onProgress: (p) => progress?.update(progressLine(what, p)) });
      job.catch(() => undefined); // handled below; this only keeps a failed reply from leaving it unhandled
      const ref = await respond.reply({ html: html`⏳ ${what}: starting…` });
      progress = new ProgressMessage(respond, ref, interval, now);
      const done = progress;
      service.track(job.then(
        async (out) => {
          await done.finish(html`✅ ${what}: done in ${(out.durationMs / 1000).toFixed(1)} s.`);
          await respond.reply({ html: sweepHtml(out) });
        },
        async (err: unknown) => {
          if (err instanceof RequestError) await done.finish(html`⚠️ ${what}: ${err.message}`);
          else {
            opts.onError?.(err);
            await done.finish(html`❌ ${what} failed unexpectedly; nothing was changed. The details are in the log.`);
          }
        },
      )).catch((err: unknown) => opts.onError?.(err));
      return { detail: `${runs} runs` };
    },
  };
}

/** /optimize using `app.backtest`. */
export const optimizeCommand: CommandSpec = optimizeCommandFor(fromApp);
