import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { KafkajsClient } from './timed-out-connections';
import type {
  BatchControl,
  ConsumerOptions,
  ConsumerRunOptions,
  GroupConsumer,
  RecordBatch,
} from '../consumer';
import { nextOffset, type ConsumedRecord } from '../records';
import { BatchHeartbeat } from './batch-heartbeat';

/**
 * A kafkajs consumer with manual offsets: autoCommit and eachBatchAutoResolve off, so kafkajs
 * moves and commits an offset only when BatchControl.commit says so.
 */
export class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private stopped?: Promise<void>;

  constructor({ kafka, connections }: KafkajsClient, options: ConsumerOptions) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      maxBytesPerPartition: options.maxBytesPerPartition,
      allowAutoTopicCreation: false,
    });
    connections.watch(this.consumer);
  }

  async run(options: ConsumerRunOptions): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      // Every (re)join emits GROUP_JOIN with the whole new assignment, before any batch of it is fetched.
      options.onAssigned?.(payload.memberAssignment as Record<string, number[]>),
    );
    // kafkajs restarts the consumer after retriable crashes (payload.restart).
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      options.onCrash?.(payload.error, payload.restart),
    );
    const { onSkipped } = options;
    if (onSkipped)
      // kafkajs moves past a fetch of only control or aborted records by itself, telling only its
      // instrumentation (firstOffset is null when the fetch held nothing at the fetch offset).
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize > 0 || payload.firstOffset === null) return;
        onSkipped({
          topic: payload.topic,
          partition: payload.partition,
          from: payload.firstOffset,
          next: nextOffset(payload.lastOffset),
        });
      });
    // Emitted once in-flight batches are done, on disconnect and on a crash (kafkajs disconnects first).
    consumer.on(consumer.events.STOP, () => options.onStopped?.());
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
    // run() resolves after the first join.
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionConcurrency,
      eachBatch: (payload) => this.runBatch(payload, options),
    });
  }

  pause(topic: string, partition: number): void {
    this.consumer.pause([{ topic, partitions: [partition] }]);
  }

  resume(topic: string, partition: number): void {
    this.consumer.resume([{ topic, partitions: [partition] }]);
  }

  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  stop(): Promise<void> {
    // kafkajs disconnect waits for in-flight batches, then leaves the group.
    this.stopped ??= this.consumer.disconnect();
    return this.stopped;
  }

  private async runBatch(payload: EachBatchPayload, options: ConsumerRunOptions): Promise<void> {
    const { batch } = payload;
    const heartbeat = new BatchHeartbeat(payload.heartbeat);
    let calls = 0;
    let stale = false;
    const control: BatchControl = {
      isActive: () => {
        if (heartbeat.failure !== undefined || !payload.isRunning()) return false;
        // isStale() (a seek since the fetch) builds a JSON key in kafkajs, measurable per record
        // (~2.7 µs/event in the consume bench): asked on the first call and every 32nd.
        if (!stale && (calls++ & 31) === 0) stale = payload.isStale();
        return !stale;
      },
      keepAlive: () => (heartbeat.due ? heartbeat.beatIfDue() : undefined),
      commit: async (next, metadata) => {
        // kafkajs fetches from the offset after the last resolved one once this batch is over.
        payload.resolveOffset((BigInt(next) - 1n).toString());
        if (metadata === undefined)
          await payload.commitOffsetsIfNecessary({
            topics: [
              { topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] },
            ],
          });
        else
          await this.consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: next, metadata },
          ]);
      },
    };
    // Records reach the handler as kafkajs decoded them (no copy per record); v2 record batches
    // always carry a headers object, older message formats may not.
    const records = batch.messages;
    for (const record of records) record.headers ??= {};
    const recordBatch: RecordBatch = {
      topic: batch.topic,
      partition: batch.partition,
      highWatermark: batch.highWatermark,
      records: records as unknown as readonly ConsumedRecord[],
    };
    try {
      await options.onBatch(recordBatch, control);
    } finally {
      heartbeat.stop();
    }
    // A refused heartbeat means the group is rebalancing: throwing makes kafkajs rejoin.
    if (heartbeat.failure !== undefined) throw heartbeat.failure;
  }
}
