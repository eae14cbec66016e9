import { CompressionTypes, Kafka, KafkaJSError, Message, Partitioners, Producer } from 'kafkajs';
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

  /** `listTopics` names the missing topics when kafkajs refuses a send for one. */
  constructor(
    kafka: Kafka,
    private readonly listTopics: () => Promise<string[]>,
    options: ProducerOptions = {},
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
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
    const sent = this.producer.sendBatch({
      topicMessages: batch.map(({ topic, records }) => ({
        topic,
        messages: records as Message[],
      })),
      acks: -1,
      // The broker's wait for the in-sync replicas; the whole call (kafkajs retries included) is
      // bounded below.
      timeout: options.timeoutMs,
      compression: this.compression,
    });
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
