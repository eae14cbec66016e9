import {
  CompressionAlgorithms,
  ProduceAcks,
  Producer,
  type BaseOptions,
  type MessageToProduce,
} from '@platformatic/kafka';
import type { RawHeaders } from '../../events/headers';
import { withTimeout } from '../../runtime/timers';
import { UnknownTopicError } from '../errors';
import type { ProducerOptions, RecordProducer } from '../producer';
import type { OutgoingRecord, TopicRecords } from '../records';
import { isUnknownTopic, withReasons } from './errors';
import { javaCompatiblePartitioner } from './partitioner';

/** What the library gets: Buffers throughout (its default serializers pass them through). */
type Message = MessageToProduce<Buffer, Buffer | null, Buffer, Buffer>;
type Client = Producer<Buffer, Buffer | null, Buffer, Buffer>;

/**
 * An idempotent @platformatic/kafka producer: acks=all, one request in flight per broker (the
 * library enforces both for idempotent producers), records placed by key as the Java client and
 * kafkajs place them. The library connects on the first request and a closed client cannot
 * reopen, so each connect() after a disconnect() makes a new one.
 *
 * The library retries an idempotent producer's requests without limit (unless the driver sets
 * more than one retry), an unknown topic's metadata included: send() therefore asks for the
 * topics' metadata once without retries first (from the library's cache while it is fresh, so
 * usually without a request) and refuses a missing topic at once.
 */
export class PlatformaticProducer implements RecordProducer {
  /** The client and its first request (see open()); dropped by disconnect() or a failed connect. */
  private current?: { client: Client; ready: Promise<Client> };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly compression: 'none' | 'gzip';

  /** `listTopics` names the missing topics when the library refuses a send for one. */
  constructor(
    private readonly base: BaseOptions,
    private readonly listTopics: () => Promise<string[]>,
    options: ProducerOptions = {},
  ) {
    this.compression =
      options.compression === 'gzip' ? CompressionAlgorithms.GZIP : CompressionAlgorithms.NONE;
  }

  async connect(): Promise<void> {
    await this.client();
  }

  async send(batch: readonly TopicRecords[], options: { timeoutMs?: number } = {}): Promise<void> {
    const messages = batch.flatMap(({ topic, records }) => records.map((r) => toMessage(topic, r)));
    if (messages.length === 0) return;
    const topics = [...new Set(batch.map((t) => t.topic))];
    // Bounded here, the library's retries included; the library goes on retrying in the
    // background until disconnect() closes it.
    const sent = withTimeout(
      this.sendNow(topics, messages),
      options.timeoutMs ?? Infinity,
      `send to ${topics.join(', ')}`,
    );
    this.inFlight.add(sent);
    try {
      await sent;
    } finally {
      this.inFlight.delete(sent);
    }
  }

  async disconnect(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await Promise.allSettled([...this.inFlight]);
    // Closing also ends the library's retries of anything still pending (a connect included).
    await current?.client.close();
  }

  private client(): Promise<Client> {
    if (!this.current) {
      const client: Client = new Producer({
        ...this.base,
        idempotent: true,
        acks: ProduceAcks.ALL,
        compression: this.compression,
        partitioner: javaCompatiblePartitioner(),
        autocreateTopics: false,
      });
      const current = { client, ready: this.open(client) };
      current.ready.catch(async () => {
        if (this.current === current) this.current = undefined;
        await client.close().catch(() => undefined);
      });
      this.current = current;
    }
    return this.current.ready;
  }

  /**
   * A request now, so an unreachable cluster fails connect() (within the connection timeout and
   * the driver's retries, not the idempotent producer's unlimited ones), not some later send.
   */
  private async open(client: Client): Promise<Client> {
    await client.metadata({
      topics: [],
      forceUpdate: true,
      retries: typeof this.base.retries === 'number' ? this.base.retries : 3,
    });
    return client;
  }

  private async sendNow(topics: string[], messages: Message[]): Promise<void> {
    const client = await this.client();
    try {
      await client.metadata({ topics, retries: 0 });
    } catch (error) {
      // Any other failure is left to the send, which retries it.
      if (isUnknownTopic(error)) await this.refuseMissing(topics, error);
    }
    try {
      await client.send({ messages });
    } catch (error) {
      if (isUnknownTopic(error)) await this.refuseMissing(topics, error);
      throw withReasons(error);
    }
  }

  /** Throws UnknownTopicError naming the topics the cluster lacks; returns when it has them all (just created). */
  private async refuseMissing(topics: readonly string[], error: unknown): Promise<void> {
    const existing = new Set(await this.listTopics().catch(() => [] as string[]));
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new UnknownTopicError(missing, { cause: error });
  }
}

function toMessage(topic: string, record: OutgoingRecord): Message {
  const message: Message = { topic, value: toBuffer(record.value) };
  const key = toBuffer(record.key);
  if (key !== null) message.key = key;
  if (record.partition !== undefined) message.partition = record.partition;
  if (record.headers) message.headers = toHeaders(record.headers);
  return message;
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/**
 * Headers as the library takes them: a Map, whose keys it compares by identity. A fresh Buffer
 * per entry lets a name repeat (one header per element of an array value), in the given order.
 */
function toHeaders(headers: RawHeaders): Map<Buffer, Buffer> {
  const map = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value])
      map.set(Buffer.from(name), toBuffer(one)!);
  }
  return map;
}
