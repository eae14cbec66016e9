import type { ConsumedRecord } from '../kafka/records';
import type { EventMetadata } from '../events/envelope';
import { Headers, RawHeaders, headerString } from '../events/headers';
import type { InboundEvent } from '../middleware/types';
import type { DeliveryHistory } from '../retry/failure-headers';

/**
 * EventMetadata read from the record's headers on first access: most deliveries touch one or two
 * attributes, and turning seven header Buffers into strings per event is measurable. Records
 * from producers that set no CloudEvents headers still get usable values: the id falls back to
 * `<topic>-<partition>-<offset>` (stable across redeliveries), the time to the record timestamp.
 */
class RecordMetadata implements EventMetadata {
  private cache?: Partial<
    Record<
      'id' | 'source' | 'time' | 'correlationId' | 'causationId' | 'traceparent' | 'key',
      string | null
    >
  >;

  constructor(
    readonly type: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly headers: RawHeaders,
    private readonly message: ConsumedRecord,
  ) {}

  get id(): string {
    return this.read('id', Headers.id) ?? `${this.topic}-${this.partition}-${this.offset}`;
  }
  get source(): string {
    return this.read('source', Headers.source) ?? 'unknown';
  }
  get time(): string {
    return (
      this.read('time', Headers.time) ?? new Date(Number(this.message.timestamp)).toISOString()
    );
  }
  get correlationId(): string {
    return this.read('correlationId', Headers.correlationId) ?? this.id;
  }
  get causationId(): string | undefined {
    return this.read('causationId', Headers.causationId);
  }
  get traceparent(): string | undefined {
    return this.read('traceparent', Headers.traceparent);
  }
  get key(): string | undefined {
    const cache = (this.cache ??= {});
    if (cache.key === undefined) cache.key = this.message.key?.toString() ?? null;
    return cache.key ?? undefined;
  }

  /** Getters do not survive spreading or JSON.stringify; this gives the plain object. */
  toJSON(): EventMetadata {
    const {
      id,
      type,
      source,
      time,
      correlationId,
      causationId,
      traceparent,
      key,
      topic,
      partition,
      offset,
      headers,
    } = this;
    return {
      id,
      type,
      source,
      time,
      correlationId,
      causationId,
      traceparent,
      key,
      topic,
      partition,
      offset,
      headers,
    };
  }

  private read(
    field: keyof NonNullable<RecordMetadata['cache']>,
    header: string,
  ): string | undefined {
    const cache = (this.cache ??= {});
    let value = cache[field];
    if (value === undefined) cache[field] = value = headerString(this.headers, header) ?? null;
    return value ?? undefined;
  }
}

/**
 * The event a handler sees, built from a consumed record and its decoded payload. `history` and
 * `record` are made on first use: only failures and retry-topic deliveries need them.
 */
class ConsumedEvent implements InboundEvent {
  readonly metadata: RecordMetadata;
  private knownHistory?: DeliveryHistory;

  constructor(
    readonly type: string,
    readonly payload: unknown,
    readonly message: ConsumedRecord,
    topic: string,
    partition: number,
    history: DeliveryHistory | undefined,
  ) {
    this.metadata = new RecordMetadata(
      type,
      topic,
      partition,
      message.offset,
      message.headers,
      message,
    );
    this.knownHistory = history;
  }

  get history(): DeliveryHistory {
    const { topic, partition, offset } = this.metadata;
    return (this.knownHistory ??= {
      originalTopic: topic,
      originalPartition: partition,
      originalOffset: offset,
      level: 0,
      priorAttempts: 0,
    });
  }

  get record(): InboundEvent['record'] {
    return { key: this.message.key, value: this.message.value, headers: this.metadata.headers };
  }
}

/**
 * @param history what the retry headers say; undefined for a first delivery from the main topic.
 */
export function inboundEvent(
  message: ConsumedRecord,
  topic: string,
  partition: number,
  type: string,
  payload: unknown,
  history: DeliveryHistory | undefined,
): InboundEvent & { message: ConsumedRecord } {
  return new ConsumedEvent(type, payload, message, topic, partition, history);
}
