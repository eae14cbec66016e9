import { CompressionTypes, Kafka, Message, Partitioners, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventCodec } from '../codec/codec';
import type { Envelope, OutgoingEvent } from '../events/envelope';
import { withTimeout } from '../runtime/timers';
import { EncodedEvent, toMessage } from './to-message';

export interface PublisherOptions {
  kafka: Kafka;
  codec: EventCodec;
  /** CloudEvents source of published events: the service name. */
  source: string;
  logger?: Logger;
  /** How long one send may take, broker retries included, before the caller gets a TimeoutError. */
  sendTimeoutMs?: number;
  compression?: CompressionTypes;
}

/**
 * Publishes events through one idempotent kafkajs producer.
 *
 * Settings and why: `idempotent: true` makes broker-side retries free of duplicates and
 * reordering; it requires acks=-1 (all in-sync replicas), which every send passes. kafkajs
 * assigns sequence numbers client-side and serialises requests per broker for idempotent
 * producers, and its transactional/idempotent guidance is `maxInFlightRequests: 1` (KIP-98's
 * original rule; the Java client later allows up to 5, kafkajs does not track that), so it is
 * set explicitly. Events are keyed by their aggregate key: the default (murmur2, Java-compatible)
 * partitioner sends one key to one partition, which keeps order per key.
 */
export class Publisher {
  private readonly producer: Producer;
  private readonly sendTimeoutMs: number;
  private connected?: Promise<void>;

  constructor(private readonly options: PublisherOptions) {
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
  }

  get source(): string {
    return this.options.source;
  }

  connect(): Promise<void> {
    this.connected ??= withTimeout(
      this.producer.connect(),
      this.sendTimeoutMs,
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

  /** Encodes and sends one event; resolves once all in-sync replicas have it. */
  async publish(event: OutgoingEvent): Promise<Envelope> {
    const encoded = await toMessage(event, this.options.codec, this.options.source);
    await this.sendEncoded([encoded]);
    return encoded.envelope;
  }

  /** Encodes all, then sends them in one sendBatch (one request per broker). */
  async publishMany(events: readonly OutgoingEvent[]): Promise<Envelope[]> {
    const encoded = await Promise.all(
      events.map((event) => toMessage(event, this.options.codec, this.options.source)),
    );
    await this.sendEncoded(encoded);
    return encoded.map((e) => e.envelope);
  }

  /** Sends events encoded earlier by toMessage (e.g. rows of an outbox), keeping their order per topic. */
  async sendEncoded(events: readonly EncodedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const { topic, key, value, headers } of events) {
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push({ key, value, headers });
    }
    await this.sendBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }

  /** Sends records as they are (no envelope, no encoding): used to forward to retry and dead-letter topics. */
  async sendRaw(topic: string, messages: Message[]): Promise<void> {
    await this.sendBatch([{ topic, messages }]);
  }

  private async sendBatch(topicMessages: { topic: string; messages: Message[] }[]): Promise<void> {
    await this.connect();
    const what = `publish to ${topicMessages.map((t) => t.topic).join(', ')}`;
    await withTimeout(
      this.producer.sendBatch({
        topicMessages,
        acks: -1,
        timeout: this.sendTimeoutMs,
        compression: this.options.compression,
      }),
      this.sendTimeoutMs,
      what,
    );
  }
}
