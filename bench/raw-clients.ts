/**
 * The raw baselines of the Kafka benches, one per driver: Troupe on a driver is compared with that
 * driver's own client library used directly, never with another library's. A driver missing here
 * has no baseline yet: the benches then report Troupe's figures alone and say so, rather than
 * comparing with kafkajs.
 *
 * To add a driver's baseline: write a RawClient doing what kafkajsRawClient does with that
 * library — a consumer that reads the topic with a fresh group and commits without decoding, an
 * idempotent acks=all producer sending the given records as they are — and add it to RAW_CLIENTS
 * under the driver's name (KafkaDriver.name). A library that not every supported Node.js runs
 * (or that is an optional install) goes in a sibling file required when its factory is called,
 * as platformaticRawClient is (bench/raw-platformatic.ts).
 */
import { EachBatchPayload, Kafka, Partitioners, logLevel } from 'kafkajs';
import { RunFigures, stopwatch, unique } from './figures';

/** A record ready to send: encoded once up front, so the baseline measures the client alone. */
export interface RawRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface RawProducer {
  /** One request per broker for the records, acks=all; resolves when all are acknowledged. */
  send(topic: string, records: readonly RawRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface RawClient {
  /** The client library, as the report names it ("kafkajs"). */
  readonly library: string;
  /** What the consume baseline does, for the report. */
  readonly consumeLabel: string;
  /** What the produce baseline does, for the report. */
  readonly produceLabel: string;
  /**
   * Reads all `events` of the topic with a fresh group, `concurrency` partitions at a time;
   * timed from the first batch to the last event.
   */
  consume(topic: string, options: { events: number; concurrency: number }): Promise<RunFigures>;
  /** A connected producer. */
  producer(): Promise<RawProducer>;
}

type RawClientFactory = (brokers: readonly string[], clientId: string) => RawClient;

/** Keyed by KafkaDriver.name, as TROUPE_KAFKA_DRIVER selects the driver. */
const RAW_CLIENTS: Readonly<Record<string, RawClientFactory>> = {
  kafkajs: kafkajsRawClient,
  platformatic: platformaticRawClient,
};

/** The raw baseline for Troupe's driver `driver`, or undefined when none is written yet. */
export function rawClientFor(
  driver: string,
  brokers: readonly string[],
  clientId: string,
): RawClient | undefined {
  return Object.hasOwn(RAW_CLIENTS, driver) ? RAW_CLIENTS[driver]!(brokers, clientId) : undefined;
}

/**
 * The results file of a Kafka bench on `driver`: `<bench>.json` for kafkajs, the default (as
 * before there were two drivers), `<bench>-<driver>.json` for another, so that `npm run bench`,
 * which runs them on both, keeps both.
 */
export function resultsFile(bench: string, driver: string): string {
  return driver === 'kafkajs' ? `${bench}.json` : `${bench}-${driver}.json`;
}

/** Says why a bench has no ratio: the driver has no raw baseline in bench/raw-clients.ts. */
export function missingBaseline(driver: string): string {
  return (
    `raw baseline for driver "${driver}": missing (none in bench/raw-clients.ts; known: ` +
    `${Object.keys(RAW_CLIENTS).join(', ')}), so no ratio: Troupe's figures alone`
  );
}

/**
 * @platformatic/kafka's baseline (bench/raw-platformatic.ts), required only when called: the
 * library is an ES module for Node >= 22.22, which the kafkajs benches on Node 20 never load. The
 * platformatic driver, made first by the bench, has already refused an older Node.
 */
function platformaticRawClient(brokers: readonly string[], clientId: string): RawClient {
  type Module = typeof import('./raw-platformatic');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
  const { platformaticRawClient: create } = require('./raw-platformatic') as Module;
  return create(brokers, clientId);
}

function kafkajsRawClient(brokers: readonly string[], clientId: string): RawClient {
  const kafka = new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING });
  return {
    library: 'kafkajs',
    consumeLabel: 'kafkajs eachBatch (resolve + commit per batch, no decode)',
    produceLabel:
      'kafkajs sendBatch (idempotent, acks=-1, maxInFlightRequests 1, pre-encoded records)',
    consume: async (topic, { events, concurrency }) => {
      const consumer = kafka.consumer({ groupId: unique('bench-raw'), maxWaitTimeInMs: 1_000 });
      const clock = stopwatch(events);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: concurrency,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload) => {
          clock.started();
          let last: string | undefined;
          for (const message of batch.messages) {
            resolveOffset(message.offset);
            last = message.offset;
          }
          if (last !== undefined) {
            await commitOffsetsIfNecessary({
              topics: [
                {
                  topic,
                  partitions: [
                    { partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
                  ],
                },
              ],
            });
          }
          clock.add(batch.messages.length);
        },
      });
      const figures = await clock.done;
      await consumer.disconnect();
      return figures;
    },
    producer: async () => {
      // As the kafkajs adapter makes its producer: idempotent, one request in flight, murmur2.
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return {
        send: async (topic, records) => {
          await producer.sendBatch({
            topicMessages: [{ topic, messages: records as RawRecord[] }],
            acks: -1,
          });
        },
        disconnect: () => producer.disconnect(),
      };
    },
  };
}
