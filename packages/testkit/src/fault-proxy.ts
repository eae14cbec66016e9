import { type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy on loopback between a client under test and one server, with the network faults a
 * fault test needs (test code: no library that fits runs without Docker or a Go binary). Give
 * the client `host:port` instead of the server's (a Redis or PostgreSQL URL with its port
 * replaced); each connection is forwarded to `target` until a fault says otherwise. Kafka cannot
 * be proxied this way alone, since its clients go on to the addresses the broker advertises: start
 * the proxy first, then a stack with `kafkaProxyListener: { advertisedPort: proxy.port }`, and
 * forward to its `kafkaProxyTarget` (a target function is looked up at each connection).
 *
 * - `latency(ms)`: every chunk, both ways, is delivered `ms` later (order kept).
 * - `cut()`: every open connection is reset now (both ends see ECONNRESET); new ones are forwarded.
 * - `hang()`: nothing is forwarded any more and nothing is closed: connections stay open and silent,
 *   as through a network partition or to a frozen peer; new connections are accepted and stay
 *   silent too. `hang('open')` silences only the connections open now, as when their peer
 *   vanished without a FIN (a rebooted host, a NAT entry dropped): new connections are forwarded,
 *   so a client recovers only by giving up on the silent ones. `heal()` lets everything held flow
 *   again, in order (TCP would retransmit it).
 */
export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** Connections forwarded so far (accepted, whatever became of them). */
  readonly connections: number;
  latency(ms: number): void;
  cut(): void;
  hang(scope?: 'all' | 'open'): void;
  heal(): void;
  /** Resets every connection and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
}

/** Where a proxy forwards to: fixed, or looked up at each connection (a server started after it). */
export type ProxyTarget = { host: string; port: number } | (() => { host: string; port: number });

export async function startFaultProxy(target: ProxyTarget): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let delayMs = 0;
  let hung = false;
  let accepted = 0;

  /** Forwards `from` to `to`, each chunk after the current latency, never reordering. */
  const forward = (from: Socket, to: Socket) => {
    let due = 0;
    from.on('data', (chunk: Buffer) => {
      if (delayMs === 0 && due <= Date.now()) {
        to.write(chunk);
        return;
      }
      due = Math.max(due, Date.now() + delayMs);
      setTimeout(() => to.writable && to.write(chunk), due - Date.now());
    });
    from.on('end', () => to.end());
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    let address: { host: string; port: number };
    try {
      address = typeof target === 'function' ? target() : target;
    } catch {
      client.destroy(); // nowhere to forward it (the target is not there yet)
      return;
    }
    const upstream = connect(address.port, address.host);
    const pair = { client, server: upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    forward(client, upstream);
    forward(upstream, client);
    if (hung) pauseBoth(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };

  const proxy: FaultProxy = {
    host: '127.0.0.1',
    port,
    get connections() {
      return accepted;
    },
    latency(ms) {
      delayMs = ms;
    },
    cut() {
      for (const { client, server: upstream } of pairs) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    hang(scope = 'all') {
      if (scope === 'all') hung = true;
      for (const pair of pairs) pauseBoth(pair);
    },
    heal() {
      hung = false;
      for (const { client, server: upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    async close() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

/** Stops reading both ends: bytes wait in the kernel's buffers, and no FIN or RST is sent. */
function pauseBoth({ client, server }: Pair): void {
  client.pause();
  server.pause();
}
