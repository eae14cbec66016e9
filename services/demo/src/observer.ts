import { randomUUID } from 'node:crypto';
import { AvroCodec, Headers, KafkaDriver, headerString } from '@troupe/kit';
import { ConsumedRecord, GroupConsumer, nextOffset } from '@troupe/kit/internal';

/** One event as read back from a topic: its envelope (from the headers) and decoded payload. */
export interface ObservedEvent {
  topic: string;
  partition: number;
  offset: string;
  id: string;
  type: string;
  /** The event type without its namespace: `RolledBack`. */
  name: string;
  source: string;
  /** ce_time, ms since the epoch. */
  time: number;
  correlationId: string;
  causationId?: string;
  key: string;
  payload: Record<string, unknown>;
  /** When this observer read it (ms since the epoch). */
  receivedAt: number;
}

interface Waiter {
  predicate: (event: ObservedEvent) => boolean;
  resolve: (event: ObservedEvent) => void;
}

/**
 * Reads the pipeline's topics from the beginning with its own consumer group and keeps every
 * event, so the demo judges and prints runs from the events themselves, not from what services
 * say about them. `waitFor` resolves on the first matching event, seen already or to come.
 */
export class EventObserver {
  readonly events: ObservedEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly consumer: GroupConsumer;
  private decodeFailures = 0;

  constructor(
    kafka: KafkaDriver,
    private readonly topics: string[],
    private readonly codec: AvroCodec,
  ) {
    this.consumer = kafka.consumer({
      groupId: `troupe-demo-observer-${randomUUID()}`,
      maxWaitTimeMs: 100,
      sessionTimeoutMs: 10_000,
    });
  }

  async start(): Promise<void> {
    await this.consumer.run({
      topics: this.topics,
      fromBeginning: true,
      partitionConcurrency: 1,
      onBatch: async ({ topic, partition, records }, control) => {
        for (const record of records) await this.observe(topic, partition, record);
        // Committed, so that a rejoin of the group goes on after what was kept, not keeping it twice.
        const last = records.at(-1);
        if (last) await control.commit(nextOffset(last.offset));
      },
    });
  }

  private async observe(topic: string, partition: number, record: ConsumedRecord): Promise<void> {
    const type = headerString(record.headers, Headers.type);
    if (!type) return;
    let payload: Record<string, unknown>;
    try {
      payload = (await this.codec.decode(topic, type, record.value, record.headers))
        .payload as Record<string, unknown>;
    } catch {
      this.decodeFailures++;
      return;
    }
    const event: ObservedEvent = {
      topic,
      partition,
      offset: record.offset,
      id: headerString(record.headers, Headers.id) ?? '',
      type,
      name: type.slice(type.lastIndexOf('.') + 1),
      source: headerString(record.headers, Headers.source) ?? '',
      time:
        Date.parse(headerString(record.headers, Headers.time) ?? '') || Number(record.timestamp),
      correlationId: headerString(record.headers, Headers.correlationId) ?? '',
      causationId: headerString(record.headers, Headers.causationId),
      key: record.key?.toString() ?? '',
      payload,
      receivedAt: Date.now(),
    };
    this.events.push(event);
    for (const waiter of this.waiters) {
      if (waiter.predicate(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }

  get undecodable(): number {
    return this.decodeFailures;
  }

  /** The first event matching `predicate`; rejects after `timeoutMs` naming `what`. */
  waitFor(
    what: string,
    predicate: (event: ObservedEvent) => boolean,
    timeoutMs: number,
  ): Promise<ObservedEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `expected ${what} within ${timeoutMs} ms; it did not appear on ${this.topics.join(', ')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Events of one release (by aggregate key), in time order. */
  ofRelease(releaseId: string): ObservedEvent[] {
    return this.events
      .filter((e) => e.key === releaseId || e.payload.releaseId === releaseId)
      .sort((a, b) => a.time - b.time);
  }

  /** Events of one flow (correlation id), in time order. */
  ofFlow(correlationId: string): ObservedEvent[] {
    return this.events
      .filter((e) => e.correlationId === correlationId)
      .sort((a, b) => a.time - b.time);
  }

  async stop(): Promise<void> {
    for (const waiter of this.waiters) this.waiters.delete(waiter);
    await this.consumer.stop();
  }
}
