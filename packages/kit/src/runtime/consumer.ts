import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import type { ConsumerLag } from './consumer-lag';

/** What the service tracks about one of its consumer groups, for /readyz and /healthz. */
export interface ConsumerState {
  readonly groupId: string;
  readonly consumer: Consumer;
  assignedPartitions: number;
  crashed: boolean;
}

/**
 * Subscribes and runs a consumer with manual offset handling: autoCommit off and
 * eachBatchAutoResolve off, so an offset moves only when the batch processor resolves it after
 * the event was settled, and is committed by the processor itself. Resolves after the first
 * group join (kafkajs run() joins before returning).
 */
export async function startConsumer(
  consumer: Consumer,
  options: {
    groupId: string;
    topics: string[];
    fromBeginning: boolean;
    partitionsConsumedConcurrently: number;
    eachBatch: (payload: EachBatchPayload) => Promise<void>;
    /** Told each new assignment and the stop: lag series of partitions lost are removed and no longer refreshed. */
    lag: ConsumerLag;
    logger: Logger;
  },
): Promise<ConsumerState> {
  const state: ConsumerState = {
    groupId: options.groupId,
    consumer,
    assignedPartitions: 0,
    crashed: false,
  };
  const log = options.logger.child({ group: options.groupId });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assignment = payload.memberAssignment as Record<string, number[]>;
    state.assignedPartitions = Object.values(assignment).reduce(
      (n, partitions) => n + partitions.length,
      0,
    );
    // Every (re)join emits GROUP_JOIN with the whole new assignment, before any batch of it is fetched.
    options.lag.assign(assignment);
    log.info({ assignment, leader: payload.isLeader }, 'joined consumer group');
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    // kafkajs restarts the consumer after retriable crashes; only a final one makes the service unhealthy.
    if (!payload.restart) state.crashed = true;
    log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
  });
  // Emitted once in-flight batches are done, on disconnect and on a crash (kafkajs disconnects first).
  consumer.on(consumer.events.STOP, () => {
    state.assignedPartitions = 0;
    options.lag.clear();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: options.eachBatch,
  });
  return state;
}
