import type { RawHeaders } from '../../events/headers';
import { UnknownTopicError } from '../errors';
import type { RecordProducer } from '../producer';
import type { TopicRecords } from '../records';
import type { MemoryCluster } from './cluster';
import { partitionForKey } from './murmur2';

/**
 * Appends records to a MemoryCluster: keyed records go where Kafka's default partitioner puts
 * them, keyless ones round-robin. A call naming a missing topic appends nothing and throws
 * UnknownTopicError. Strings become Buffers, as a consumer of a real cluster receives them.
 */
export class MemoryProducer implements RecordProducer {
  private roundRobin = 0;

  constructor(private readonly cluster: MemoryCluster) {}

  connect(): Promise<void> {
    return Promise.resolve();
  }

  send(batch: readonly TopicRecords[]): Promise<void> {
    const missing = [...new Set(batch.map((t) => t.topic))].filter(
      (topic) => !this.cluster.hasTopic(topic),
    );
    if (missing.length > 0) return Promise.reject(new UnknownTopicError(missing));
    for (const { topic, records } of batch) {
      const count = this.cluster.partitionCount(topic);
      for (const record of records) {
        const key = toBuffer(record.key);
        const partition =
          record.partition ?? (key ? partitionForKey(key, count) : this.roundRobin++ % count);
        this.cluster.append(topic, partition, {
          key,
          value: toBuffer(record.value),
          headers: toBufferHeaders(record.headers),
        });
      }
    }
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function toBufferHeaders(headers: RawHeaders | undefined): RawHeaders {
  const result: RawHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map((v) => toBuffer(v)!) : toBuffer(value)!;
  }
  return result;
}
