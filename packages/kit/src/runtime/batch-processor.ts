import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { toError } from '../errors';
import { Headers, headerString } from '../events/headers';
import { finishBatch, prepareBatch } from '../middleware/compose';
import type { BatchInfo, Handler, InboundEvent, Middleware } from '../middleware/types';
import type { ServiceMetrics } from '../observability/metrics';
import { BreakerOpenError, DeliveryAbortedError, errorCode } from '../retry/classify';
import type { FailureRouter } from '../retry/failure-router';
import type { ConsumerLag } from './consumer-lag';
import { ContextEnvironment, DeliveryContext } from './delivery-context';
import { GroupHeartbeat } from './group-heartbeat';
import { RecordReaderDeps, Step, readRecords } from './record-reader';
import type { PartitionPauser } from './partition-pauser';

export interface BatchProcessorDeps extends RecordReaderDeps {
  chain: Handler;
  middleware: readonly Middleware[];
  router: FailureRouter;
  pauser: PartitionPauser;
  contextEnv: ContextEnvironment;
  metrics: ServiceMetrics;
  /** The lag series of this consumer's partitions, set as every fetched batch starts and ends. */
  lag: ConsumerLag;
  logger: Logger;
  /** Aborted when the service starts stopping: no new event is started. */
  draining: AbortSignal;
  /** Wait before a delivery that failed without being settled (e.g. the DLQ was unreachable) is tried again. */
  redeliveryDelayMs: number;
}

/** Records read, decoded and prepared (batch hooks) together; the unit of the batch hooks. */
const CHUNK = 256;

/** Why processing stopped at `offset`, which is then re-fetched after a pause. */
type Halt =
  | { kind: 'wait'; offset: string; ms: number }
  | { kind: 'redeliver'; offset: string; error: Error }
  | { kind: 'breaker'; offset: string; breaker: string }
  | { kind: 'stop' };

/**
 * The eachBatch callback. Per fetched batch of one partition, in chunks of up to 256 records:
 * decide what each record needs (decode, skip, reject), run the batch hooks, run the chain for
 * each event in offset order; then resolve the last settled offset and commit once. Anything
 * that stops processing early leaves the rest unresolved: a pause rewinds the partition to the
 * first record not settled, so it is fetched again and never skipped.
 */
export function createBatchProcessor(
  deps: BatchProcessorDeps,
): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const heartbeat = new GroupHeartbeat(payload.heartbeat);
    try {
      await processBatch(payload, heartbeat, deps);
    } finally {
      heartbeat.stop();
    }
  };
}

async function processBatch(
  payload: EachBatchPayload,
  heartbeat: GroupHeartbeat,
  deps: BatchProcessorDeps,
): Promise<void> {
  const { batch } = payload;
  const { topic, partition } = batch;
  const info: BatchInfo = { topic, partition, signal: deps.draining };
  // isStale() (a seek happened) costs a string build in kafkajs: checked every 32 records.
  let checks = 0;
  const canContinue = () =>
    heartbeat.failure === undefined &&
    payload.isRunning() &&
    !deps.draining.aborted &&
    ((++checks & 31) !== 0 || !payload.isStale());
  const messages = batch.messages;
  // Recorded as the batch starts too, not only when it ends: a batch stuck on a slow handler is
  // where lag grows, and the lag refresh needs this first unsettled offset to follow it.
  if (messages[0]) deps.lag.record(topic, partition, batch.highWatermark, messages[0].offset);
  let halt: Halt | undefined;
  let lastResolved: string | undefined;
  // Chunks keep the events of a large batch from all living until its end (they would survive
  // young-generation GCs and get copied); batch hooks run per chunk.
  for (let from = 0; from < messages.length && !halt; from += CHUNK) {
    const read = await readRecords(
      messages,
      from,
      Math.min(from + CHUNK, messages.length),
      { topic, partition },
      deps,
      canContinue,
    );
    let steps = read.steps;
    halt = read.halt;
    const events: InboundEvent[] = [];
    for (const step of steps) if (step.kind === 'handle') events.push(step.event);
    if (events.length > 0) {
      try {
        await prepareBatch(deps.middleware, events, info);
      } catch (thrown) {
        halt = { kind: 'redeliver', offset: steps[0]!.message.offset, error: toError(thrown) };
        steps = [];
      }
    }
    const settled: InboundEvent[] = [];
    for (const step of steps) {
      if (!canContinue()) {
        halt = { kind: 'stop' };
        break;
      }
      // The handle path is inlined (no runStep promise per event); skips and rejects are rare.
      let stepHalt: Halt | undefined;
      if (step.kind === 'handle') {
        try {
          await deps.chain(step.event, new DeliveryContext(step.event, deps.contextEnv));
        } catch (thrown) {
          stepHalt = haltFor(toError(thrown), step.message.offset);
        }
      } else {
        stepHalt = await runStep(step, topic, deps);
      }
      if (stepHalt) {
        halt = stepHalt;
        break;
      }
      if (step.kind === 'handle') settled.push(step.event);
      lastResolved = step.message.offset;
      if (heartbeat.due) {
        await heartbeat.beatIfDue();
        // The group is rebalancing: stop here, commit what is settled, rejoin.
        if (heartbeat.failure !== undefined) {
          halt = { kind: 'stop' };
          break;
        }
      }
    }
    if (settled.length > 0) {
      try {
        await finishBatch(deps.middleware, settled, info);
      } catch (error) {
        deps.logger.error(
          { err: error, topic, partition },
          'finishBatch hook failed; committing anyway',
        );
      }
    }
  }

  // Resolved once, for the last settled record: kafkajs fetches from the next one after this batch.
  if (lastResolved !== undefined) payload.resolveOffset(lastResolved);
  if (
    halt &&
    halt.kind !== 'stop' &&
    payload.isRunning() &&
    !deps.draining.aborted &&
    !payload.isStale()
  )
    applyHalt(halt, topic, partition, deps);

  let rebalance = heartbeat.failure;
  let next: string | undefined;
  if (lastResolved !== undefined) {
    next = (BigInt(lastResolved) + 1n).toString();
    try {
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: next }] }],
      });
    } catch (error) {
      // Handled but not committed: redelivered to whoever owns the partition next (at-least-once).
      deps.logger.warn({ err: error, topic, partition, offset: next }, 'offset commit failed');
      rebalance ??= error;
    }
  }
  // Every fetched batch reports its lag, settled or not (a halted partition is where lag grows),
  // counted from the first record not settled: where the partition is fetched from next.
  const unsettled =
    halt !== undefined && halt.kind !== 'stop' ? halt.offset : (next ?? messages[0]?.offset);
  if (unsettled !== undefined) deps.lag.record(topic, partition, batch.highWatermark, unsettled);
  if (rebalance) throw rebalance;
}

/** Runs a skip or reject step; returns a Halt when processing must stop before resolving this record. */
async function runStep(
  step: Exclude<Step, { kind: 'handle' }>,
  topic: string,
  deps: BatchProcessorDeps,
): Promise<Halt | undefined> {
  const offset = step.message.offset;
  if (step.kind === 'skip') {
    if (step.type !== undefined) deps.metrics.handled(topic, step.type, 'ignored');
    return undefined;
  }
  if (step.kind === 'reject') {
    // Undecodable or unwanted: straight to the DLQ, never through the handler chain.
    try {
      await deps.router.route(
        {
          key: step.message.key,
          value: step.message.value,
          headers: step.message.headers ?? {},
          history: step.history,
        },
        step.error,
        step.history.priorAttempts,
      );
    } catch (error) {
      deps.logger.error(
        { err: error, topic, offset },
        'could not dead-letter an undecodable record; will try again',
      );
      return { kind: 'redeliver', offset, error: toError(error) };
    }
    const type = headerString(step.message.headers, Headers.type) ?? 'unknown';
    deps.metrics.handled(topic, type, 'dead-lettered');
    deps.metrics.deadLetteredRecord(step.history.originalTopic, errorCode(step.error));
    deps.logger.error(
      { err: step.error, topic, partition: step.history.originalPartition, offset, type },
      'record dead-lettered without handling',
    );
    return undefined;
  }
  return undefined;
}

/** What an error that escaped the whole chain means for the partition. */
function haltFor(error: Error, offset: string): Halt {
  if (error instanceof BreakerOpenError) return { kind: 'breaker', offset, breaker: error.breaker };
  // The consumer is stopping or lost the partition: leave the offset for whoever handles it next.
  if (error instanceof DeliveryAbortedError) return { kind: 'stop' };
  // Anything else (RedeliverLater included) pauses the partition and re-handles the same offset.
  return { kind: 'redeliver', offset, error };
}

function applyHalt(
  halt: Exclude<Halt, { kind: 'stop' }>,
  topic: string,
  partition: number,
  deps: BatchProcessorDeps,
): void {
  switch (halt.kind) {
    case 'wait':
      deps.pauser.pauseFor(topic, partition, halt.offset, halt.ms, 'retry-due');
      return;
    case 'breaker':
      deps.pauser.pauseForBreaker(topic, partition, halt.offset, halt.breaker);
      return;
    case 'redeliver':
      deps.logger.warn(
        {
          err: halt.error,
          topic,
          partition,
          offset: halt.offset,
          retryInMs: deps.redeliveryDelayMs,
        },
        'delivery failed without being settled; pausing the partition',
      );
      deps.pauser.pauseFor(topic, partition, halt.offset, deps.redeliveryDelayMs, 'redelivery');
  }
}
