/**
 * Worker thread entry: loads the candles (reading and parsing a file off the bot's event loop),
 * runs the simulation, renders the chart; for a sweep, runs one config after another on the same
 * candles. One request at a time.
 */
import { parentPort } from 'node:worker_threads';
import { CandleFileError } from '../exchange/market-data/csv.js';
import type { WorkerRequest, WorkerResponse } from './protocol.js';
import { BacktestInputError, loadData, runBacktest } from './run.js';
import type { Progress } from './types.js';

const port = parentPort;
if (!port) throw new Error('src/backtest/worker is a worker thread entry; the service starts it');

function send(msg: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

async function handle(req: WorkerRequest): Promise<void> {
  const progress = (p: Progress): void => send({ id: req.id, type: 'progress', progress: p });
  progress({ stage: 'data', fraction: 0, text: 'loading candles' });
  const data = await loadData(req.data);
  if (req.type === 'backtest') {
    let shown = -1;
    const { result } = runBacktest(req.job, data, (f) => {
      const step = Math.floor(f * 10);
      if (step > shown) {
        shown = step;
        progress({ stage: 'simulate', fraction: f, text: `simulating ${Math.round(f * 100)}%` });
      }
    });
    let png: Uint8Array | null = null;
    if (req.job.chart) {
      progress({ stage: 'chart', fraction: 1, text: 'drawing the chart' });
      const { renderChart } = await import('./chart.js');
      png = await renderChart(result);
    }
    send({ id: req.id, type: 'done', result, png }, png ? [png.buffer as ArrayBuffer] : []);
    return;
  }
  for (let k = 0; k < req.configs.length; k++) {
    const config = req.configs[k]!;
    try {
      const { result } = runBacktest({ ...req.job, config, chart: false }, data);
      send({ id: req.id, type: 'sweep-item', index: req.first + k, metrics: result.metrics, error: null, config: result.config });
    } catch (err) {
      if (!(err instanceof BacktestInputError)) throw err;
      send({ id: req.id, type: 'sweep-item', index: req.first + k, metrics: null, error: err.message, config: null });
    }
  }
  send({ id: req.id, type: 'sweep-done', data: data.info });
}

port.on('message', (req: WorkerRequest) => {
  handle(req).catch((err: unknown) => {
    const input = err instanceof BacktestInputError || err instanceof CandleFileError;
    send({ id: req.id, type: 'error', message: err instanceof Error ? err.message : String(err), input });
  });
});
