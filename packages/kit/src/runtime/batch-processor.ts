import type { Logger } from 'pino';
import { toError } from '../errors';
import { Headers, headerString } from '../events/headers';
import { finishBatch, prepareBatch } from '../middleware/compose';
import type { BatchInfo, Handler, InboundEvent, Middleware } from '../middleware/types';
import type { ServiceMetrics } from '../observability/metrics';
import { BreakerOpenError, DeliveryAbortedError, errorCode } from '../retry/classify';
import type { FailureRouter } from '../retry/failure-router';
import type { BatchControl, BatchHandler, RecordBatch } from '../kafka/consumer';
import { nextOffset } from '../kafka/records';
import type { ConsumerLag } from './consumer-lag';
import { ContextEnvironment, DeliveryContext } from './delivery-context';
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
 * The batch handler. Per fetched batch of one partition, in chunks of up to 256 records: decide
 * what each record needs (decode, skip, reject), run the batch hooks, run the chain for each
 * event in offset order; then commit once, the offset after the last settled record. Anything
 * that stops processing early leaves the rest uncommitted: a pause rewinds the partition to the
 * first record not settled, so it is fetched again and never skipped.
 */
export function createBatchProcessor(deps: BatchProcessorDeps): BatchHandler {
  return (batch, control) => processBatch(batch, control, deps);
}

/** How far a batch (or a chunk of it) got: the last record settled, and why it stopped early. */
interface Progress {
  lastSettled?: string;
  halt?: Halt;
}

async function processBatch(
  batch: RecordBatch,
  control: BatchControl,
  deps: BatchProcessorDeps,
): Promise<void> {
  const { topic, partition, records, highWatermark } = batch;
  const canContinue = () => control.isActive() && !deps.draining.aborted;
  // Recorded as the batch starts too, not only when it ends: a batch stuck on a slow handler is
  // where lag grows, and the lag refresh needs this first unsettled offset to follow it.
  if (records[0]) deps.lag.record(topic, partition, highWatermark, records[0].offset);

  const { lastSettled, halt } = await settleRecords(batch, control, canContinue, deps);
  if (halt && halt.kind !== 'stop' && canContinue()) applyHalt(halt, topic, partition, deps);
  const next = lastSettled === undefined ? undefined : nextOffset(lastSettled);
  const commitFailure = next === undefined ? undefined : await commit(control, batch, next, deps);

  // Every fetched batch reports its lag, settled or not (a halted partition is where lag grows),
  // counted from the first record not settled: where the partition is fetched from next.
  const unsettled =
    halt !== undefined && halt.kind !== 'stop' ? halt.offset : (next ?? records[0]?.offset);
  if (unsettled !== undefined) deps.lag.record(topic, partition, highWatermark, unsettled);
  if (commitFailure !== undefined) throw commitFailure;
}

/**
 * Settles the batch chunk by chunk until a chunk halts. Chunks keep the events of a large batch
 * from all living until its end (they would survive young-generation GCs and get copied); the
 * batch hooks run per chunk.
 */
async function settleRecords(
  batch: RecordBatch,
  control: BatchControl,
  canContinue: () => boolean,
  deps: BatchProcessorDeps,
): Promise<Progress> {
  let lastSettled: string | undefined;
  for (let from = 0; from < batch.records.length; from += CHUNK) {
    const to = Math.min(from + CHUNK, batch.records.length);
    const chunk = await settleChunk(batch, from, to, control, canContinue, deps);
    lastSettled = chunk.lastSettled ?? lastSettled;
    if (chunk.halt) return { lastSettled, halt: chunk.halt };
  }
  return { lastSettled };
}

/**
 * One chunk: read (decide each record's step), prepare (batch hooks), run the steps in offset
 * order, finish (batch hooks). The chunk halts where a step could not be settled, where reading
 * stopped (a retry not due, a decode that must be tried again), or where the batch lost its
 * partition; the earliest of those wins because steps run in order.
 */
async function settleChunk(
  batch: RecordBatch,
  from: number,
  to: number,
  control: BatchControl,
  canContinue: () => boolean,
  deps: BatchProcessorDeps,
): Promise<Progress> {
  const { topic, partition } = batch;
  const info: BatchInfo = { topic, partition, signal: deps.draining };
  const read = await readRecords(batch.records, from, to, { topic, partition }, deps, canContinue);
  const events: InboundEvent[] = [];
  for (const step of read.steps) if (step.kind === 'handle') events.push(step.event);
  if (events.length > 0) {
    try {
      await prepareBatch(deps.middleware, events, info);
    } catch (thrown) {
      const offset = read.steps[0]!.message.offset;
      return { halt: { kind: 'redeliver', offset, error: toError(thrown) } };
    }
  }
  const run = await runSteps(read.steps, control, canContinue, topic, deps);
  if (run.settled.length > 0) {
    try {
      await finishBatch(deps.middleware, run.settled, info);
    } catch (error) {
      deps.logger.error(
        { err: error, topic, partition },
        'finishBatch hook failed; committing anyway',
      );
    }
  }
  return { lastSettled: run.lastSettled, halt: run.halt ?? read.halt };
}

/** Runs steps in offset order until one halts or the batch may not go on. */
async function runSteps(
  steps: readonly Step[],
  control: BatchControl,
  canContinue: () => boolean,
  topic: string,
  deps: BatchProcessorDeps,
): Promise<Progress & { settled: InboundEvent[] }> {
  const settled: InboundEvent[] = [];
  let lastSettled: string | undefined;
  for (const step of steps) {
    if (!canContinue()) return { settled, lastSettled, halt: { kind: 'stop' } };
    // The handle path is inlined (no runStep promise per event); skips and rejects are rare.
    let halt: Halt | undefined;
    if (step.kind === 'handle') {
      try {
        await deps.chain(step.event, new DeliveryContext(step.event, deps.contextEnv));
        settled.push(step.event);
      } catch (thrown) {
        halt = haltFor(toError(thrown), step.message.offset);
      }
    } else {
      halt = await runStep(step, topic, deps);
    }
    if (halt) return { settled, lastSettled, halt };
    lastSettled = step.message.offset;
    const beat = control.keepAlive();
    if (beat) {
      await beat;
      // The group is rebalancing: stop here, commit what is settled, rejoin.
      if (!control.isActive()) return { settled, lastSettled, halt: { kind: 'stop' } };
    }
  }
  return { settled, lastSettled };
}

/** Commits `next`; returns the error when the commit was refused (the caller rethrows it after reporting lag). */
async function commit(
  control: BatchControl,
  batch: RecordBatch,
  next: string,
  deps: BatchProcessorDeps,
): Promise<unknown> {
  try {
    await control.commit(next);
    return undefined;
  } catch (error) {
    // Handled but not committed: redelivered to whoever owns the partition next (at-least-once).
    const { topic, partition } = batch;
    deps.logger.warn({ err: error, topic, partition, offset: next }, 'offset commit failed');
    return error;
  }
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
