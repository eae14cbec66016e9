import type { Logger } from 'pino';
import type { EventCodec } from '../codec/codec';
import type { Envelope, OutgoingEvent, RoutableEventOf } from '../events/envelope';
import type { KafkaDriver } from '../kafka/driver';
import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type ProducerOptions,
  type RecordProducer,
} from '../kafka/producer';
import type { OutgoingRecord, TopicRecords } from '../kafka/records';
import { withTimeout } from '../runtime/timers';
import { tracingEnabled } from '../observability/tracing-enabled';
import { sendEncodedTraced } from './send-traced';
import { EncodedEvent, toMessage } from './to-message';

export interface PublisherOptions<E extends object = Record<string, unknown>> {
  kafka: KafkaDriver;
  codec: EventCodec;
  /** CloudEvents source of published events: the service name. */
  source: string;
  logger?: Logger;
  /**
   * How long one send may take before the caller gets a TimeoutError (default 2 minutes, as the
   * Java client's delivery.timeout.ms; connect() waits at most 30 s of it); the driver
   * keeps retrying a broker that is down or a leader that moves for as long (ProducerOptions
   * deliveryTimeoutMs), so an outage shorter than this costs the caller a wait, not an error.
   */
  sendTimeoutMs?: number;
  compression?: ProducerOptions['compression'];
  /**
   * Event type → topic (e.g. `EventTopics` of @troupe/contracts, from schemas/topics.json): an
   * event of a routed type may leave `topic` out. An event's own `topic` wins.
   */
  routes?: { readonly [T in keyof E & string]?: string };
}

/** The longest connect() waits, whatever the send timeout. */
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Publishes events through one producer of the driver: idempotent (broker-side retries free of
 * duplicates and reordering), acks=all, never creating topics. Events are keyed by their
 * aggregate key: the partitioner (murmur2, Java-compatible) sends one key to one partition, which
 * keeps order per key. Typed by an event map (`new Publisher<EventTypes>(…)`), `publish` accepts
 * only the map's event types with their payloads.
 */
export class Publisher<E extends object = Record<string, unknown>> {
  private readonly producer: RecordProducer;
  private readonly sendTimeoutMs: number;
  private connected?: Promise<void>;

  constructor(private readonly options: PublisherOptions<E>) {
    this.sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    // The driver retries what may pass for as long as the caller waits, and not much longer.
    this.producer = options.kafka.producer({
      compression: options.compression,
      deliveryTimeoutMs: this.sendTimeoutMs,
    });
  }

  get source(): string {
    return this.options.source;
  }

  connect(): Promise<void> {
    // A cluster that is not there at start is more often a wrong address than an outage.
    this.connected ??= withTimeout(
      this.producer.connect(),
      Math.min(this.sendTimeoutMs, CONNECT_TIMEOUT_MS),
      'producer connect',
    ).catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }

  /**
   * Encodes and sends one event; resolves once all in-sync replicas have it. With an OpenTelemetry
   * SDK registered, the send runs in a PRODUCER span `send <topic>` whose context the event carries
   * as its `traceparent` (the returned envelope's too); the span's parent is the event's
   * `traceparent` when given (ctx.publish gives the processing span's), else the active context.
   */
  async publish(event: RoutableEventOf<E>): Promise<Envelope> {
    const routed = this.routed(event);
    const encoded = await toMessage(routed, this.options.codec, this.options.source);
    if (tracingEnabled()) await this.sendNew([encoded], [routed.traceparent]);
    else await this.sendEncodedRecords([encoded]);
    return encoded.envelope;
  }

  /** Encodes all, then sends them in one sendBatch (one request per broker); traced as publish is, a span per event. */
  async publishMany(events: readonly RoutableEventOf<E>[]): Promise<Envelope[]> {
    const routed = events.map((event) => this.routed(event));
    const encoded = await Promise.all(
      routed.map((event) => toMessage(event, this.options.codec, this.options.source)),
    );
    if (tracingEnabled()) {
      await this.sendNew(
        encoded,
        routed.map((event) => event.traceparent),
      );
    } else await this.sendEncodedRecords(encoded);
    return encoded.map((e) => e.envelope);
  }

  /** The event with its topic: its own, else the route of its type; an Error names the type otherwise. */
  private routed(event: RoutableEventOf<E>): OutgoingEvent {
    const routes = this.options.routes as Record<string, string | undefined> | undefined;
    const topic = event.topic ?? routes?.[event.type];
    if (topic === undefined)
      throw new Error(
        `no topic for event type ${event.type}: give the event a topic, or route its type in the publisher's \`routes\``,
      );
    return { ...event, topic } as OutgoingEvent;
  }

  /**
   * Sends events encoded earlier by toMessage (e.g. rows of an outbox), keeping their order per
   * topic. With an SDK registered, each goes in a send span whose parent is the context the event
   * was encoded in (its envelope's `traceparent`), linked to it too.
   */
  async sendEncoded(events: readonly EncodedEvent[]): Promise<void> {
    if (tracingEnabled())
      await sendEncodedTraced(events, 'captured', (e) => this.sendEncodedRecords(e));
    else await this.sendEncodedRecords(events);
  }

  private sendNew(
    events: readonly EncodedEvent[],
    given: readonly (string | undefined)[],
  ): Promise<void> {
    return sendEncodedTraced(events, given, (e) => this.sendEncodedRecords(e));
  }

  private async sendEncodedRecords(events: readonly EncodedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const { topic, key, value, headers } of events) {
      let records = byTopic.get(topic);
      if (!records) byTopic.set(topic, (records = []));
      records.push({ key, value, headers });
    }
    await this.sendBatch([...byTopic].map(([topic, records]) => ({ topic, records })));
  }

  /**
   * Sends records as they are (no envelope, no encoding, no span): used to forward to retry and
   * dead-letter topics, whose sender (the FailureRouter) starts the send spans itself.
   */
  async sendRaw(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    await this.sendBatch([{ topic, records }]);
  }

  private async sendBatch(batch: readonly TopicRecords[]): Promise<void> {
    await this.connect();
    const what = `publish to ${batch.map((t) => t.topic).join(', ')}`;
    await withTimeout(
      this.producer.send(batch, { timeoutMs: this.sendTimeoutMs }),
      this.sendTimeoutMs,
      what,
    );
  }
}
