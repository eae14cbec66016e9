import { DecodeError, EventCodec } from '../codec/codec';
import { PermanentError, toError } from '../errors';
import { Headers, RawHeaders, headerString } from '../events/headers';
import type { InboundEvent } from '../middleware/types';
import { DeliveryHistory, readDeliveryHistory } from '../retry/failure-headers';
import { msUntilDue } from '../retry/retry-topics';
import type { ConsumedRecord } from '../kafka/records';
import { inboundEvent } from './inbound-event';

export interface RecordReaderDeps {
  service: string;
  codec: EventCodec;
  hasHandler: (type: string) => boolean;
  /** Consuming `<topic>.retry.<n>`: records wait for their due time; other services' records are skipped. */
  retryTier: boolean;
  /** Events whose type no handler consumes: skipped, or dead-lettered. */
  unhandledEvents: 'ignore' | 'dead-letter';
}

/** What to do with one record, decided before any handler runs. */
export type Step =
  | { kind: 'handle'; message: ConsumedRecord; event: InboundEvent & { message: ConsumedRecord } }
  | { kind: 'skip'; message: ConsumedRecord; type?: string }
  | { kind: 'reject'; message: ConsumedRecord; error: Error; history: DeliveryHistory };

/** Reading stopped before a record that must wait (retry not due) or be fetched again later. */
export type ReadHalt =
  | { kind: 'wait'; offset: string; ms: number }
  | { kind: 'redeliver'; offset: string; error: Error };

/**
 * Decides what each record of `messages[from, to)` needs, decoding those a handler wants:
 * main-topic records are first deliveries; retry-topic records are skipped when addressed to
 * another service, and reading stops at the first one not yet due. A DecodeError makes a
 * `reject` step (straight to the DLQ); any other decode failure (registry unreachable) stops
 * reading so the record is fetched again later.
 */
export async function readRecords(
  messages: readonly ConsumedRecord[],
  from: number,
  to: number,
  where: { topic: string; partition: number },
  deps: RecordReaderDeps,
  canContinue: () => boolean,
): Promise<{ steps: Step[]; halt?: ReadHalt }> {
  const steps: Step[] = [];
  const now = Date.now();
  const { topic, partition } = where;
  const atOrigin = (message: ConsumedRecord) =>
    readDeliveryHistory(undefined, { topic, partition, offset: message.offset });
  for (let i = from; i < to; i++) {
    const message = messages[i]!;
    if (!canContinue()) break;
    const headers = message.headers;
    // Main-topic records are first deliveries; only retry-topic records carry a history.
    let history: DeliveryHistory | undefined;
    if (deps.retryTier) {
      history = readDeliveryHistory(headers, { topic, partition, offset: message.offset });
      if (history.service !== undefined && history.service !== deps.service) {
        steps.push({ kind: 'skip', message });
        continue;
      }
      const waitMs = msUntilDue(history.dueAt, now);
      if (waitMs > 0) return { steps, halt: { kind: 'wait', offset: message.offset, ms: waitMs } };
    }
    const headerType = eventTypeOf(headers);
    if (headerType !== undefined && !deps.hasHandler(headerType)) {
      steps.push(unhandled(message, headerType, history ?? atOrigin(message), deps));
      continue;
    }
    let decoded;
    try {
      decoded = await deps.codec.decode(
        history?.originalTopic ?? topic,
        headerType,
        message.value,
        headers,
      );
    } catch (thrown) {
      const error = toError(thrown);
      if (error instanceof DecodeError) {
        steps.push({ kind: 'reject', message, error, history: history ?? atOrigin(message) });
        continue;
      }
      // Not the record's fault (e.g. the schema registry is unreachable): try it again later.
      return { steps, halt: { kind: 'redeliver', offset: message.offset, error } };
    }
    const type = headerType ?? decoded.type;
    if (!deps.hasHandler(type)) {
      steps.push(unhandled(message, type, history ?? atOrigin(message), deps));
      continue;
    }
    steps.push({
      kind: 'handle',
      message,
      event: inboundEvent(message, topic, partition, type, decoded.payload, history),
    });
  }
  return { steps };
}

function unhandled(
  message: ConsumedRecord,
  type: string,
  history: DeliveryHistory,
  deps: RecordReaderDeps,
): Step {
  if (deps.unhandledEvents === 'ignore') return { kind: 'skip', message, type };
  return {
    kind: 'reject',
    message,
    error: new PermanentError(`service ${deps.service} has no handler for event type ${type}`),
    history,
  };
}

// Most records of a partition carry one of a few event types: reuse the string when the header
// bytes match the previous record's (a memcmp) instead of decoding UTF-8 for every record.
let lastTypeBytes: Buffer | undefined;
let lastType: string | undefined;

function eventTypeOf(headers: RawHeaders): string | undefined {
  const value = headers[Headers.type];
  if (!Buffer.isBuffer(value)) return headerString(headers, Headers.type);
  if (lastTypeBytes === undefined || !value.equals(lastTypeBytes)) {
    lastType = value.toString();
    lastTypeBytes = Buffer.from(value); // a copy: the record's buffer belongs to the fetched batch
  }
  return lastType;
}
