import { EventEmitter, once } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import type { RequestTimeoutEvent } from 'kafkajs';
import { TimedOutConnections } from '../src/kafka/kafkajs/timed-out-connections';

/** A server that accepts connections and never answers: a broker behind a half-open network. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** Stands in for a kafkajs consumer: what `watch` subscribes to. */
class FakePart extends EventEmitter {
  readonly events = { REQUEST_TIMEOUT: 'consumer.network.request_timeout' };
  timeOut(broker: string): void {
    const event = { payload: { broker, apiName: 'Fetch' } } as unknown as RequestTimeoutEvent;
    this.emit(this.events.REQUEST_TIMEOUT, event);
  }
}

async function connected(connections: TimedOutConnections, port: number): Promise<Socket> {
  const socket = await new Promise<Socket>((resolve) => {
    const made: Socket = connections.socketFactory({
      host: '127.0.0.1',
      port,
      ssl: undefined as never,
      onConnect: () => resolve(made),
    });
  });
  return socket;
}

test("a request timeout closes the part's connections to that broker with an error, and only those", async () => {
  const a = await silentServer();
  const b = await silentServer();
  const connections = new TimedOutConnections();
  const part = new FakePart();
  connections.watch(part);
  const toA = await connected(connections, a.port);
  const toB = await connected(connections, b.port);
  const errors: string[] = [];
  toA.on('error', (error) => errors.push(error.message));
  toB.on('error', (error) => errors.push(error.message));
  try {
    const closed = new Promise((resolve) => toA.once('close', resolve));
    part.timeOut(`127.0.0.1:${a.port}`);
    await closed;
    // kafkajs hears 'error', not 'close': without it the connection would look alive.
    expect(errors).toEqual([
      'Fetch got no answer within the request timeout; connection closed to reconnect',
    ]);
    expect(toB.destroyed).toBe(false);
    // A new connection to the same broker is tracked afresh and works.
    const again = await connected(connections, a.port);
    expect(again.destroyed).toBe(false);
    again.destroy();
  } finally {
    toB.destroy();
    a.server.close();
    b.server.close();
  }
});

test('a timeout reported for a broker it has no connection to changes nothing', async () => {
  const a = await silentServer();
  const connections = new TimedOutConnections();
  const part = new FakePart();
  connections.watch(part);
  const toA = await connected(connections, a.port);
  try {
    part.timeOut('127.0.0.1:1');
    expect(toA.destroyed).toBe(false);
  } finally {
    toA.destroy();
    a.server.close();
  }
});
