import type { DatabaseConnection, KafkaDriver } from '@troupe/kit';
import type { PipelineTopics } from '@troupe-services/pipeline';
import type { Redis } from 'ioredis';
import { Client } from 'pg';

/**
 * Removes what a run left on a stack it did not start (a shared stack): its topics with their
 * retry and dead-letter topics, its PostgreSQL schema and its Redis keys. Best effort.
 */
export async function removeRunData(options: {
  kafka: KafkaDriver;
  /** loadDatabaseConnection of the services' environment: its password and CA included. */
  database: DatabaseConnection;
  dbSchema: string;
  redis: Redis;
  redisPrefix: string;
  topics: PipelineTopics;
}): Promise<void> {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const ours = Object.values(options.topics);
    const all = await admin.listTopics();
    const doomed = all.filter((topic) =>
      ours.some(
        (base) => topic === base || topic.startsWith(`${base}.retry.`) || topic === `${base}.dlq`,
      ),
    );
    if (doomed.length > 0) await admin.deleteTopics(doomed);
  } finally {
    await admin.disconnect();
  }
  const client = new Client({
    ...options.database,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${options.dbSchema}" CASCADE`);
  } finally {
    await client.end();
  }
  let cursor = '0';
  do {
    const [next, keys] = await options.redis.scan(
      cursor,
      'MATCH',
      `${options.redisPrefix}:*`,
      'COUNT',
      500,
    );
    cursor = next;
    if (keys.length > 0) await options.redis.del(...keys);
  } while (cursor !== '0');
}
