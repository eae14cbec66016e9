/**
 * The raw baseline of the platformatic driver: @platformatic/kafka (ESM, Node >= 22.22) used
 * directly, as its README shows, doing what the kafkajs baseline does. bench/raw-clients.ts
 * requires this module only when the platformatic driver's baseline is asked for, so runs of the
 * kafkajs benches (Node 20 included) never load the library.
 *
 * - consume: a fresh group (classic protocol, the library's default) reading the topic from the
 *   beginning through the library's messages stream (`consumer.consume`, mode 'committed' with
 *   fallback 'earliest': no committed offset yet, so from the start), values never decoded (the
 *   default no-op deserializers hand out the broker's Buffers), a no-op 'data' listener.
 *   Commits: the library's `autocommit: true` (its default), which queues the end of each fetched
 *   partition and commits them after every fetch response, one commit in flight; the stream
 *   does not wait for it before fetching again. The stream has no per-partition concurrency: it
 *   keeps one fetch in flight per broker for all assigned partitions, so `concurrency` does not
 *   apply. Fetch settings as the Troupe side's: maxWaitTime 1 s, 1 MiB per partition.
 * - produce: `new Producer({ idempotent: true, acks: ProduceAcks.ALL })` (the library then keeps
 *   one request in flight), string serializers for the key and the header names and values, the
 *   pre-encoded value Buffer as it is, the library's default partitioner; one `send` per batch.
 */
import {
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringSerializer,
} from '@platformatic/kafka';
import { stopwatch, unique } from './figures';
import type { RawClient, RawRecord } from './raw-clients';

export function platformaticRawClient(brokers: readonly string[], clientId: string): RawClient {
  const base = { clientId, bootstrapBrokers: [...brokers], autocreateTopics: false };
  return {
    library: '@platformatic/kafka',
    consumeLabel:
      '@platformatic/kafka consumer.consume() messages stream (fresh group from the earliest offset, ' +
      'no-op data listener, no decode, autocommit: true = commit after each fetch, one in flight)',
    produceLabel:
      '@platformatic/kafka Producer.send (idempotent, acks=all, one request in flight, ' +
      'pre-encoded value, string key and headers)',
    consume: async (topic, { events }) => {
      const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
        ...base,
        groupId: unique('bench-raw'),
        maxWaitTime: 1_000,
        maxBytesPerPartition: 1_048_576,
      });
      const clock = stopwatch(events);
      try {
        const stream = await consumer.consume({
          topics: [topic],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: MessagesStreamFallbackModes.EARLIEST,
          autocommit: true,
        });
        const failed = new Promise<never>((_, reject) => stream.once('error', reject));
        stream.on('data', () => {
          clock.started();
          clock.add(1);
        });
        const figures = await Promise.race([clock.done, failed]);
        await stream.close();
        return figures;
      } finally {
        await consumer.close();
      }
    },
    producer: async () => {
      const producer = new Producer<string, Buffer, string, string>({
        ...base,
        idempotent: true,
        acks: ProduceAcks.ALL,
        serializers: {
          key: stringSerializer,
          headerKey: stringSerializer,
          headerValue: stringSerializer,
        },
      });
      // The library connects on the first request: connected here, as kafkajs's connect() does.
      await producer.metadata({ topics: [] });
      return {
        send: async (topic, records: readonly RawRecord[]) => {
          await producer.send({
            messages: records.map(({ key, value, headers }) => ({ topic, key, value, headers })),
          });
        },
        disconnect: () => producer.close(),
      };
    },
  };
}
