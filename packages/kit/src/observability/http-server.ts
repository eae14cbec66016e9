import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ProbeResult {
  ok: boolean;
  detail: Record<string, unknown>;
}

export interface HealthProbes {
  /** Process is alive and its consumers have not crashed: restart it otherwise. */
  live(): ProbeResult;
  /** Connected and has partitions assigned: can take traffic. */
  ready(): ProbeResult;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The operations endpoint: GET /healthz, /readyz (200 or 503 with a JSON body saying why) and
 * /metrics (Prometheus text format from the service's own registry). Nothing else is served.
 */
export async function startOpsServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  probes: HealthProbes;
}): Promise<OpsServer> {
  const server = createServer((req, res) => {
    void respond(req, res, options).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  // Probes are tiny requests; a client that stalls must not keep the server (and shutdown) waiting.
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { port: (server.address() as AddressInfo).port, close: () => closeServer(server) };
}

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  options: { registry: Registry; probes: HealthProbes },
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/healthz' || path === '/readyz') {
    const result = path === '/healthz' ? options.probes.live() : options.probes.ready();
    res.writeHead(result.ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: result.ok ? 'ok' : 'unavailable', ...result.detail }));
    return;
  }
  if (path === '/metrics') {
    const body = await options.registry.metrics();
    res.writeHead(200, { 'content-type': options.registry.contentType });
    res.end(body);
    return;
  }
  res
    .writeHead(404, { 'content-type': 'text/plain' })
    .end('not found: try /healthz, /readyz or /metrics');
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
