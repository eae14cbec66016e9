import { KafkaDriver, createKafkaDriver, loadKafkaConnection } from '@troupe/kit';
import { ConsumedRecord, KafkaAdmin, NewTopic, nextOffset } from '@troupe/kit/internal';
import { uniqueName } from './names';

/**
 * A Kafka driver for the stack the tests run against, read from the TROUPE_KAFKA_* settings as a
 * service reads them (TLS and SASL included), of the kind TROUPE_KAFKA_DRIVER names (kafkajs
 * unless set), so the same tests run on every driver and on a secured cluster.
 */
export function testKafka(clientId = 'troupe-test'): KafkaDriver {
  if (!process.env.TROUPE_KAFKA_BROKERS)
    throw new Error(
      'TROUPE_KAFKA_BROKERS is not set: run tests through jest (globalSetup) or startStack()',
    );
  return createKafkaDriver(loadKafkaConnection(process.env), { clientId });
}

/** Runs `work` with a connected admin client of the test stack, disconnecting whatever happens. */
export async function withTestAdmin<T>(work: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = testKafka('troupe-test-admin').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates topics; resolves once every partition has a leader (the port's createTopics waits). */
export async function createTopics(topics: readonly NewTopic[], timeoutMs = 30_000): Promise<void> {
  await withTestAdmin((admin) => admin.createTopics(topics, { timeoutMs }));
}

/** One record a test consumer received, with its topic and partition. */
export interface ReceivedMessage {
  topic: string;
  partition: number;
  message: ConsumedRecord;
}

/**
 * Reads `topics` from the beginning with a throwaway consumer group, handing every record to
 * `onRecord` until it returns true; rejects after `timeoutMs` saying how many records it saw.
 * Commits nothing.
 */
export async function consumeUntil(
  topics: string | readonly string[],
  onRecord: (received: ReceivedMessage) => boolean | void,
  timeoutMs = 30_000,
): Promise<ReceivedMessage> {
  const names = typeof topics === 'string' ? [topics] : [...topics];
  const consumer = testKafka('troupe-test-wait').consumer({
    groupId: uniqueName('wait'),
    maxWaitTimeMs: 200,
  });
  let seen = 0;
  try {
    return await new Promise<ReceivedMessage>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching event on ${names.join(', ')} within ${timeoutMs} ms (saw ${seen})`,
            ),
          ),
        timeoutMs,
      );
      let done = false;
      consumer
        .run({
          topics: names,
          fromBeginning: true,
          partitionConcurrency: 1,
          onBatch: async ({ topic, partition, records }) => {
            for (const message of records) {
              if (done) return;
              seen += 1;
              const received = { topic, partition, message };
              if (onRecord(received) === true) {
                done = true;
                clearTimeout(timer);
                resolve(received);
              }
            }
            // Nothing is committed, so the next fetch would hand out the same records: move on.
            const last = records[records.length - 1];
            if (last) consumer.seek(topic, partition, nextOffset(last.offset));
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  } finally {
    await consumer.stop();
  }
}

/** Reads `topic` from the beginning until a record satisfies `predicate`. */
export function waitForEvent(
  topic: string,
  predicate: (received: ReceivedMessage) => boolean,
  timeoutMs = 30_000,
): Promise<ReceivedMessage> {
  return consumeUntil(topic, predicate, timeoutMs);
}

/**
 * The first `count` records of `topics` (from the beginning, in arrival order; per partition in
 * offset order); rejects after `timeoutMs` saying how many arrived.
 */
export async function readRecords(
  topics: string | readonly string[],
  count: number,
  timeoutMs = 30_000,
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  if (count <= 0) return received;
  await consumeUntil(
    topics,
    (record) => {
      received.push(record);
      return received.length >= count;
    },
    timeoutMs,
  );
  return received;
}
