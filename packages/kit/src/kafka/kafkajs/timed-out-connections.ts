import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory, Kafka, RequestTimeoutEvent } from 'kafkajs';

/** kafkajs's own keep-alive delay for the sockets it opens. */
const KEEP_ALIVE_DELAY_MS = 60_000;

/** The parts of a kafkajs consumer, producer or admin that report request timeouts. */
interface TimeoutReporter {
  events: { REQUEST_TIMEOUT: string };
  on(event: string, listener: (event: RequestTimeoutEvent) => void): unknown;
}

/**
 * Closes a kafkajs part's connections to a broker when a request there timed out, as Kafka's
 * Java client closes its connection to the node ("disconnecting from node due to request
 * timeout"; kafkajs keeps two to a broker, one for fetches, and both go: the other's in-flight
 * requests fail as retriable and are sent again). kafkajs keeps such a connection and sends
 * the next requests down it: to a broker that vanished without a FIN or a reset (a host gone, a
 * NAT entry dropped, a network partition that left the socket open) every request then times
 * out, for ever, and the consumer stops consuming. Closed with an error, the connection is seen
 * as lost: kafkajs fails its requests as retriable and dials a new one.
 *
 * One per kafkajs client: give the client `socketFactory`, and `watch` each consumer, producer
 * or admin made from it.
 */
export class TimedOutConnections {
  private readonly open = new Map<string, Set<net.Socket>>();

  /** kafkajs's own factory (TLS naming the host, keep-alive), remembering each socket by broker. */
  readonly socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect(
          { host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl },
          onConnect,
        )
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    const broker = `${host}:${port}`;
    const sockets = this.open.get(broker) ?? new Set();
    this.open.set(broker, sockets.add(socket));
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.open.get(broker) === sockets) this.open.delete(broker);
    });
    return socket;
  };

  /** Closes the part's connection to a broker as soon as one of its requests there times out. */
  watch(part: TimeoutReporter): void {
    part.on(part.events.REQUEST_TIMEOUT, ({ payload }) => {
      this.close(payload.broker, `${payload.apiName} got no answer within the request timeout`);
    });
  }

  /**
   * Destroys every socket of this client to `broker` (`host:port`) with an error: kafkajs listens
   * for 'error' and 'end', not 'close', so a socket destroyed without one would look alive to it.
   */
  close(broker: string, reason: string): void {
    for (const socket of this.open.get(broker) ?? [])
      socket.destroy(new Error(`${reason}; connection closed to reconnect`));
  }
}

/** A kafkajs client and its TimedOutConnections: each part made from it is watched. */
export interface KafkajsClient {
  kafka: Kafka;
  connections: TimedOutConnections;
}
