import type { Logger } from 'pino';
import type { BatchHandler, GroupConsumer } from '../kafka/consumer';
import type { ConsumerLag } from './consumer-lag';

/** What the service tracks about one of its consumer groups, for /readyz and /healthz. */
export interface ConsumerState {
  readonly groupId: string;
  readonly consumer: GroupConsumer;
  assignedPartitions: number;
  crashed: boolean;
}

/**
 * Runs a group consumer whose offsets move only when the batch processor commits them, after the
 * events were settled. Resolves after the first group join.
 */
export async function startConsumer(
  consumer: GroupConsumer,
  options: {
    groupId: string;
    topics: string[];
    fromBeginning: boolean;
    partitionConcurrency: number;
    onBatch: BatchHandler;
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
  await consumer.run({
    topics: options.topics,
    fromBeginning: options.fromBeginning,
    partitionConcurrency: options.partitionConcurrency,
    onBatch: options.onBatch,
    onAssigned: (assignment) => {
      state.assignedPartitions = Object.values(assignment).reduce(
        (n, partitions) => n + partitions.length,
        0,
      );
      options.lag.assign(assignment);
      log.info({ assignment }, 'joined consumer group');
    },
    onCrash: (error, restarting) => {
      // Only a crash the driver does not recover from makes the service unhealthy.
      if (!restarting) state.crashed = true;
      log.error({ err: error, restart: restarting }, 'consumer crashed');
    },
    onStopped: () => {
      state.assignedPartitions = 0;
      options.lag.clear();
    },
  });
  return state;
}
