import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectedSpike } from './traffic-model';

/** The first window in which a version's errors were spiked: the ground truth the watchdog's estimate can be checked against. */
export interface SpikeStart {
  service: string;
  version: string;
  releaseId: string | null;
  firstBadWindowStart: string;
}

export interface ControlState {
  injected: InjectedSpike[];
  starts: SpikeStart[];
  ready: () => boolean;
}

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The simulator's control endpoint (JSON):
 * - `GET /spikes` → `{ injected, starts }`
 * - `POST /spikes` `{ version, service?, errorRate, durationMs? }` → 201, injects a spike now
 * - `DELETE /spikes` → 204, ends every injected spike
 * - `GET /healthz`, `GET /readyz` → 200 (or 503 before the first window was published)
 */
export async function startControlServer(
  port: number,
  host: string,
  state: ControlState,
): Promise<ControlServer> {
  const server = createServer((req, res) => {
    void handle(req, res, state).catch((error: unknown) =>
      send(res, 500, { error: 'internal', message: String(error) }),
    );
  });
  server.requestTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, close: () => close(server) };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  state: ControlState,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
  if (req.method === 'GET' && path === '/readyz')
    return send(res, state.ready() ? 200 : 503, { ok: state.ready() });
  if (path !== '/spikes')
    return send(res, 404, { error: 'not_found', message: `no route ${req.method} ${path}` });
  if (req.method === 'GET')
    return send(res, 200, { injected: state.injected, starts: state.starts });
  if (req.method === 'DELETE') {
    state.injected.length = 0;
    return send(res, 204);
  }
  if (req.method !== 'POST')
    return send(res, 405, { error: 'method_not_allowed', message: `${req.method} /spikes` });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(await readBody(req)) as Record<string, unknown>;
  } catch {
    return send(res, 400, {
      error: 'invalid_request',
      field: 'body',
      message: 'expected a JSON object',
    });
  }
  const { version, service, errorRate, durationMs } = body;
  if (typeof version !== 'string' || version === '')
    return invalid(res, 'version', 'a non-empty string', version);
  if (service !== undefined && typeof service !== 'string')
    return invalid(res, 'service', 'a string', service);
  if (typeof errorRate !== 'number' || errorRate < 0 || errorRate > 1)
    return invalid(res, 'errorRate', 'a number between 0 and 1', errorRate);
  if (durationMs !== undefined && (typeof durationMs !== 'number' || durationMs <= 0))
    return invalid(res, 'durationMs', 'a positive number of milliseconds', durationMs);
  const spike: InjectedSpike = {
    version,
    service,
    errorRate,
    until: durationMs === undefined ? undefined : Date.now() + durationMs,
  };
  state.injected.push(spike);
  return send(res, 201, spike);
}

function invalid(res: ServerResponse, field: string, expected: string, found: unknown): void {
  send(res, 400, {
    error: 'invalid_request',
    field,
    message: `${field}: expected ${expected}, found ${JSON.stringify(found) ?? 'nothing'}`,
  });
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
