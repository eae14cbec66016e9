import { CompressionTypes, KafkaJSError, Message, Partitioners, Producer } from 'kafkajs';
import type { KafkajsClient } from './timed-out-connections';
import type { ProducerOptions, RecordProducer } from '../producer';
import type { TopicRecords } from '../records';
import { UnknownTopicError } from '../errors';
import { withTimeout } from '../../runtime/timers';

/**
 * An idempotent kafkajs producer. kafkajs assigns sequence numbers client-side and serialises
 * requests per broker for idempotent producers; its guidance is `maxInFlightRequests: 1` (KIP-98's
 * original rule; the Java client later allows up to 5, kafkajs does not track that), so it is set
 * explicitly. The default partitioner is murmur2, Java-compatible: one key, one partition.
 */
export class KafkajsProducer implements RecordProducer {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  private connected?: Promise<void>;
  /** Topics seen on the cluster: a send to them skips the check for a missing topic. */
  private readonly knownTopics = new Set<string>();
  /** The last send's end: sends run one after another (see send()). */
  private previous: Promise<void> = Promise.resolve();

  /** `listTopics` names the missing topics when kafkajs refuses a send for one. */
  constructor(
    { kafka, connections }: KafkajsClient,
    private readonly listTopics: () => Promise<string[]>,
    options: ProducerOptions = {},
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    connections.watch(this.producer);
    this.compression =
      options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async send(batch: readonly TopicRecords[], options: { timeoutMs?: number } = {}): Promise<void> {
    if (batch.length === 0) return;
    await this.connect();
    // One sendBatch at a time, each with its own retries, in call order. kafkajs hands a failed
    // request's sequence numbers back (updateSequence(-n)) even when the broker wrote it before
    // the connection broke (a broker SIGKILLed mid-request); a concurrent call could then take
    // those numbers for its own records, and the broker would answer it as a retry of the batch
    // it already has: acknowledged, never written. Serialised, the numbers handed back are taken
    // again only by the same records' retry, which the broker deduplicates as it should. kafkajs
    // sends an idempotent producer's requests to a broker one at a time anyway.
    // The check for a missing topic runs in turn too: done before, a slower check could let a
    // later call's records overtake an earlier one's.
    const sent = this.previous.then(async () => {
      await this.refuseMissingTopics(batch);
      return this.producer.sendBatch({
        topicMessages: batch.map(({ topic, records }) => ({
          topic,
          messages: records as Message[],
        })),
        acks: -1,
        // The broker's wait for the in-sync replicas; the whole call (kafkajs retries included)
        // is bounded below.
        timeout: options.timeoutMs,
        compression: this.compression,
      });
    });
    // The next call waits for this one to end, in success or failure, however long the caller
    // waits (a timed-out call's retries still hold the numbers they were given).
    this.previous = sent.then(
      () => undefined,
      () => undefined,
    );
    try {
      await (options.timeoutMs === undefined
        ? sent
        : withTimeout(sent, options.timeoutMs, `send to ${batch.map((t) => t.topic).join(', ')}`));
    } catch (error) {
      if (!isUnknownTopic(error)) throw error;
      throw await this.nameMissingTopics(error, batch);
    }
  }

  async disconnect(): Promise<void> {
    this.connected = undefined;
    await this.producer.disconnect();
  }

  /**
   * Refuses at once a batch for a topic the cluster lacks, asked once per topic (then known):
   * kafkajs would retry its metadata for as long as the delivery timeout lets a send retry.
   */
  private async refuseMissingTopics(batch: readonly TopicRecords[]): Promise<void> {
    const unknown = [...new Set(batch.map((t) => t.topic))].filter((t) => !this.knownTopics.has(t));
    if (unknown.length === 0) return;
    // A cluster that does not answer now is the send's to wait for, as any outage.
    const names = await this.listTopics().catch(() => undefined);
    if (!names) return;
    const existing = new Set(names);
    const missing = unknown.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new UnknownTopicError(missing);
    for (const topic of unknown) this.knownTopics.add(topic);
  }

  private async nameMissingTopics(
    error: unknown,
    batch: readonly TopicRecords[],
  ): Promise<unknown> {
    const existing = new Set(await this.listTopics().catch(() => [] as string[]));
    const missing = [...new Set(batch.map((t) => t.topic))].filter((t) => !existing.has(t));
    return missing.length > 0 ? new UnknownTopicError(missing, { cause: error }) : error;
  }
}

/**
 * kafkajs refuses a send for a missing topic (metadata answered UNKNOWN_TOPIC_OR_PARTITION,
 * possibly wrapped by its retrier) without naming the topic.
 */
function isUnknownTopic(error: unknown): boolean {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof KafkaJSError; depth++) {
    if ((cause as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
    cause =
      (cause as { cause?: unknown }).cause ?? (cause as { originalError?: unknown }).originalError;
  }
  return false;
}
