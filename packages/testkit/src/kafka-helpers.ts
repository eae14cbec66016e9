import { Admin, Consumer, ITopicConfig, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { uniqueName } from './names';

/** A kafkajs client for the stack the tests run against (TROUPE_KAFKA_BROKERS). */
export function testKafka(clientId = 'troupe-test'): Kafka {
  const brokers = process.env.TROUPE_KAFKA_BROKERS;
  if (!brokers)
    throw new Error(
      'TROUPE_KAFKA_BROKERS is not set: run tests through jest (globalSetup) or startStack()',
    );
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/**
 * Creates topics and waits until every partition has a leader: a produce right after
 * createTopics can otherwise fail with "leader not available".
 */
export async function createTopics(topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  const admin = testKafka('troupe-test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: true, timeout: timeoutMs });
    await waitForLeaders(
      admin,
      topics.map((t) => t.topic),
      timeoutMs,
    );
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await admin.fetchTopicMetadata({ topics });
    const ready = metadata.topics.every(
      (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
    );
    if (ready) return;
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ReceivedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads `topic` from the beginning until a message satisfies `predicate`, or rejects after
 * `timeoutMs` saying how many messages it saw.
 */
export async function waitForEvent(
  topic: string,
  predicate: (received: ReceivedMessage) => boolean,
  timeoutMs = 30_000,
): Promise<ReceivedMessage> {
  const consumer: Consumer = testKafka('troupe-test-wait').consumer({
    groupId: uniqueName('wait'),
  });
  let seen = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<ReceivedMessage>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no matching event on ${topic} within ${timeoutMs} ms (saw ${seen})`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ topic: t, partition, message }) => {
            seen += 1;
            const received = { topic: t, partition, message };
            if (predicate(received)) {
              clearTimeout(timer);
              resolve(received);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
