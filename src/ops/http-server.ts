import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../lib/logger.js';

export interface HealthCheck {
  /** Resolves with details when healthy; throws when not. */
  (): Promise<Record<string, unknown>>;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** GET /health (200 healthy / 503 not) and GET /metrics (Prometheus text) on HTTP_PORT. */
export async function startOpsServer(opts: { port: number; health: HealthCheck; metrics: Registry; logger: Logger; host?: string }): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
    if (url === '/health') {
      opts
        .health()
        .then((details) => send(200, 'application/json', JSON.stringify({ status: 'ok', ...details }) + '\n'))
        .catch((err: unknown) => send(503, 'application/json', JSON.stringify({ status: 'unhealthy', error: err instanceof Error ? err.message : String(err) }) + '\n'));
      return;
    }
    if (url === '/metrics') {
      opts.metrics
        .metrics()
        .then((text) => send(200, opts.metrics.contentType, text))
        .catch((err: unknown) => {
          opts.logger.error({ err }, 'metrics rendering failed');
          send(500, 'text/plain', 'metrics unavailable\n');
        });
      return;
    }
    send(404, 'text/plain', 'not found: try /health or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  opts.logger.info({ port }, 'health and metrics listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
