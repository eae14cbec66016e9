/**
 * The stream every fault scenario breaks: a Publisher with its default settings sending keyed
 * events one at a time per key (so a key's events are acknowledged in order), and a Troupe
 * service declaring dedup on the stack's Redis that applies one effect per event. It counts what
 * a user would: what was sent and acknowledged, what the handler applied and how often, in which
 * order per key, and how long after the fault events sent after it were handled again.
 */
import pino from 'pino';
import {
  AvroCodec,
  Publisher,
  RedisDedupStore,
  createFailFastRedis,
  createKafkaDriver,
  createSchemaCatalog,
  createService,
  defineService,
  headerString,
  loadConfig,
  loadKafkaConnection,
} from '@troupe/kit';
import type {
  EventCodec,
  HandlerContext,
  PublishMap,
  KafkaDriver,
  OutgoingEvent,
  TroupeService,
} from '@troupe/kit';
import { consumeUntil } from '@troupe/testkit';
import type { StackSettings } from '@troupe/devstack';
import { testSchemas } from '../../packages/kit/test/support/test-schemas';
import type { FaultFigures } from './figures';

interface Events {
  'test.runtime.Counted': { key: string; seq: number; note: string | null };
}

export interface StreamOptions {
  settings: StackSettings;
  topic: string;
  /** Distinct keys, each published by its own sequential loop. */
  keys: number;
  /** Events per key. */
  perKey: number;
  /** Pause between two events of one key. */
  intervalMs: number;
  /** How long the handler takes per event (default 0); `slowHandler(0)` speeds it up later. */
  handlerDelayMs?: number;
  /**
   * How an event is sent, resolving once it is on its way for good (e.g. its outbox row
   * committed); by default the Publisher's publish.
   */
  send?: (event: OutgoingEvent) => Promise<unknown>;
  /**
   * `external`: no service in this process; the scenario runs its own (a child process it kills)
   * and reports each effect with `applied`. Default `in-process`: a dedup service made here.
   */
  consumer?: 'in-process' | 'external';
  /** Where the service reaches Kafka (a proxy in front of it, say); by default the stack's brokers. */
  serviceBrokers?: string;
  /** Where the service keeps its dedup keys; by default the stack's Redis. */
  serviceRedisUrl?: string;
  /**
   * The handler's side effect, awaited before the event counts as handled (say a write to a
   * database through `ctx.breaker(…)`); a throw fails the delivery as the handler's would.
   */
  effect?: (ctx: HandlerContext<Events, PublishMap<Events>, true>, id: string) => Promise<void>;
}

/** The codec the stream's events are encoded with: the runtime tests' contract, on the stack's registry. */
export function streamCodec(settings: StackSettings): EventCodec {
  return new AvroCodec({
    registry: settings.TROUPE_SCHEMA_REGISTRY_URL,
    catalog: createSchemaCatalog(testSchemas.map((schema) => ({ schema, source: 'faults' }))),
  });
}

/** A publisher and a dedup service on one topic, and the tally of what became of each event. */
export class CountedStream {
  private readonly sentAt = new Map<string, number>();
  private readonly acknowledged = new Set<string>();
  private readonly failures: string[] = [];
  /** How many times each event's effect was applied. */
  private readonly applications = new Map<string, number>();
  private readonly lastSeq = new Map<string, number>();
  private readonly handledAt = new Map<string, number>();
  private orderViolations = 0;
  private peakRss = process.memoryUsage().rss;
  private readonly sampler = setInterval(() => {
    this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
  }, 200);
  private faultAt: number | undefined;
  private handlerDelayMs: number;
  /** How many times the service's consumer joined its group (each join, a generation). */
  groupJoins = 0;
  private producing: Promise<void> | undefined;
  private publishingEnded = false;

  private constructor(
    private readonly options: StreamOptions,
    private readonly name: string,
    private readonly driver: KafkaDriver,
    private readonly publisher: Publisher,
    private readonly inProcess: { service: TroupeService; close: () => void } | undefined,
  ) {
    this.handlerDelayMs = options.handlerDelayMs ?? 0;
  }

  static async start(options: StreamOptions, name: string): Promise<CountedStream> {
    const env = { ...options.settings, TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER };
    const codec = streamCodec(options.settings);
    // The publisher exactly as a user makes one: default send timeout, default driver options.
    const driver = createKafkaDriver(loadKafkaConnection(env), { clientId: `${name}-publisher` });
    const publisher = new Publisher({
      kafka: driver,
      codec,
      source: `${name}-publisher`,
    });
    await publisher.connect();
    const stream: CountedStream = new CountedStream(
      options,
      name,
      driver,
      publisher,
      options.consumer === 'external'
        ? undefined
        : inProcessService(options, name, codec, () => stream),
    );
    await stream.service?.start();
    return stream;
  }

  private get service(): TroupeService | undefined {
    return this.inProcess?.service;
  }

  /** The in-process service, for what only it can tell (its metrics, its breakers). */
  private get own(): TroupeService {
    if (!this.inProcess) throw new Error("this stream's consumer is external: ask it instead");
    return this.inProcess.service;
  }

  /**
   * Records dead-lettered: the in-process service's count, or the records in `<topic>.dlq`
   * (none when it does not exist) for an external consumer.
   */
  private async deadLetteredCount(): Promise<number> {
    if (this.inProcess) {
      const metric = this.own.metrics.registry.getSingleMetric('troupe_dead_lettered_total');
      return ((await metric?.get())?.values ?? []).reduce((sum, v) => sum + v.value, 0);
    }
    const admin = this.driver.admin();
    await admin.connect();
    try {
      const dlq = `${this.options.topic}.dlq`;
      if (!(await admin.listTopics()).includes(dlq)) return 0;
      return (await admin.topicOffsets(dlq)).reduce(
        (sum, p) => sum + Number(p.high) - Number(p.low),
        0,
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Events the service sent to its retry topic: later events of their keys overtake them. */
  async retriedViaTopic(): Promise<number> {
    const retries = await this.own.metrics.registry.getSingleMetric('troupe_retries_total')?.get();
    return (retries?.values ?? [])
      .filter((v) => v.labels.stage === 'retry-topic')
      .reduce((sum, v) => sum + v.value, 0);
  }

  /** The in-process service's liveness and readiness, as its operations server would report them. */
  probes(): { live: unknown; ready: unknown } | 'external' {
    if (!this.inProcess) return 'external';
    return { live: this.own.live(), ready: this.own.ready() };
  }

  /** The service under test (its breakers, its metrics). */
  get runtime(): TroupeService {
    return this.own;
  }

  /** The publisher's driver: for another producer of the stream's events (an outbox relay). */
  get kafka(): KafkaDriver {
    return this.driver;
  }

  /** How long the in-process handler takes per event now. */
  get handlerDelay(): number {
    return this.handlerDelayMs;
  }

  /** Changes how long the handler takes per event, from the next event on. */
  slowHandler(delayMs: number): void {
    this.handlerDelayMs = delayMs;
  }

  /**
   * The lag the service reports (troupe_consumer_lag, summed over partitions) and Kafka's own:
   * end offsets less the group's committed offsets.
   */
  async lag(): Promise<{ reported: number; kafka: number }> {
    const reported = (
      (await this.own.metrics.registry.getSingleMetric('troupe_consumer_lag')?.get())?.values ?? []
    ).reduce((sum, v) => sum + v.value, 0);
    const admin = this.driver.admin();
    await admin.connect();
    try {
      const ends = await admin.topicOffsets(this.options.topic);
      const committed = new Map(
        (await admin.committedOffsets(this.name, [this.options.topic])).map((p) => [
          p.partition,
          Number(p.offset),
        ]),
      );
      const kafka = ends.reduce(
        (sum, p) => sum + Number(p.high) - Math.max(Number(p.low), committed.get(p.partition) ?? 0),
        0,
      );
      return { reported, kafka };
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Starts publishing; `produced()` resolves when every key's loop has sent all its events (or
   * stopped after `endPublishing()`).
   */
  publish(): void {
    const { keys, perKey, intervalMs, topic } = this.options;
    const send = this.options.send ?? ((event: OutgoingEvent) => this.publisher.publish(event));
    this.producing = Promise.all(
      Array.from({ length: keys }, async (_, k) => {
        const key = `key-${k}`;
        for (let seq = 0; seq < perKey && !this.publishingEnded; seq += 1) {
          const id = `${key}/${seq}`;
          this.sentAt.set(id, Date.now());
          await send({
            type: 'test.runtime.Counted',
            topic,
            key,
            id,
            payload: { key, seq, note: null },
          }).then(
            () => this.acknowledged.add(id),
            (error: Error) => this.failures.push(`${id}: ${error.message}`),
          );
          await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
      }),
    ).then(() => undefined);
  }

  /** Each key's loop stops after the event it is sending: for a scenario done before the stream. */
  endPublishing(): void {
    this.publishingEnded = true;
  }

  produced(): Promise<void> {
    return this.producing ?? Promise.resolve();
  }

  /** How many events have been acknowledged so far. */
  get acknowledgedCount(): number {
    return this.acknowledged.size;
  }

  /** How many distinct events the handler has applied so far. */
  get handledCount(): number {
    return this.applications.size;
  }

  /** Marks the moment the fault begins: recovery is measured from here. */
  markFault(): void {
    this.faultAt = Date.now();
  }

  /** Resolves once every acknowledged event has been handled, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && [...this.acknowledged].some((id) => !this.applications.has(id)))
      await new Promise((resolve) => setTimeout(resolve, 200));
  }

  /** The acknowledged events never handled, each with when it was sent relative to the fault. */
  lostEvents(): string[] {
    return [...this.acknowledged]
      .filter((id) => !this.applications.has(id))
      .map(
        (id) =>
          `${id} (sent ${(((this.sentAt.get(id) ?? 0) - (this.faultAt ?? 0)) / 1000).toFixed(1)} s after the fault)`,
      );
  }

  /**
   * Which of `ids` the topic holds, read back from the beginning: tells an event the producer
   * never wrote (acknowledged, yet not in the log) from one the consumer skipped.
   */
  async inTopic(ids: readonly string[]): Promise<string[]> {
    const admin = this.driver.admin();
    await admin.connect();
    const offsets = await admin.topicOffsets(this.options.topic).finally(() => admin.disconnect());
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    const wanted = new Set(ids);
    const found: string[] = [];
    let read = 0;
    await consumeUntil(
      this.options.topic,
      (record) => {
        const id = headerString(record.message.headers, 'ce_id');
        if (id !== undefined && wanted.has(id))
          found.push(`${id} at ${record.partition}/${record.message.offset}`);
        return (read += 1) >= total;
      },
      60_000,
    );
    return found;
  }

  /** Publish failures the caller saw, as `id: message` (the Publisher's own retries exhausted). */
  get publishFailures(): readonly string[] {
    return this.failures;
  }

  /** The figures so far; `recoverySeconds` replaces the measured one when the scenario's recovery is another span. */
  async figures(scenario: string, recoverySeconds?: number): Promise<FaultFigures> {
    const deadLettered = await this.deadLetteredCount();
    const handled = [...this.applications.keys()];
    const lost = [...this.acknowledged].filter((id) => !this.applications.has(id)).length;
    const faultAt = this.faultAt ?? 0;
    const firstAfter = Math.min(
      ...[...this.handledAt]
        .filter(([id]) => (this.sentAt.get(id) ?? 0) >= faultAt)
        .map(([, at]) => at),
    );
    return {
      scenario,
      sent: this.sentAt.size,
      acknowledged: this.acknowledged.size,
      handled: handled.length,
      deadLettered,
      duplicated: [...this.applications.values()].filter((n) => n > 1).length,
      lost,
      orderViolations: this.orderViolations,
      recoverySeconds:
        recoverySeconds ??
        (Number.isFinite(firstAfter) ? (firstAfter - faultAt) / 1000 : Number.NaN),
      peakRssMb: Math.round(this.peakRss / 2 ** 20),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    await this.service?.stop().catch(() => undefined);
    await this.publisher.disconnect().catch(() => undefined);
    this.inProcess?.close();
  }

  /**
   * Counts one application of event `id`'s effect (`<key>/<seq>`, as published), at `at`: the
   * in-process handler calls it, and a scenario with an external consumer does for each effect.
   */
  applied(id: string, at = Date.now()): void {
    const times = (this.applications.get(id) ?? 0) + 1;
    this.applications.set(id, times);
    if (times > 1) return;
    this.handledAt.set(id, at);
    const [key = '', seq = ''] = id.split('/');
    // A key's events are acknowledged in order, so they must be first applied in order.
    if (Number(seq) <= (this.lastSeq.get(key) ?? -1)) this.orderViolations += 1;
    this.lastSeq.set(key, Number(seq));
  }
}

/**
 * The service's log: counts the joins of its main group (`name`; not `<name>.retry`), and with TROUPE_FAULTS_LOG=<file> writes
 * everything at debug there, to see what it did around the fault.
 */
function serviceLogger(name: string, onJoin: () => void) {
  const file = process.env.TROUPE_FAULTS_LOG;
  const out = file ? pino.destination({ dest: file, sync: true }) : undefined;
  return pino(
    { level: file ? 'debug' : 'info' },
    {
      write: (line: string) => {
        if (line.includes('"joined consumer group"') && line.includes(`"group":"${name}"`))
          onJoin();
        out?.write(line);
      },
    },
  );
}

/**
 * The stream's in-process service: declares dedup on Redis (the stack's, or `serviceRedisUrl`),
 * runs `effect`, and reports each handled event to `stream()`.
 */
function inProcessService(
  options: StreamOptions,
  name: string,
  codec: EventCodec,
  stream: () => CountedStream,
): { service: TroupeService; close: () => void } {
  const env = { ...options.settings, TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER };
  const redis = createFailFastRedis(options.serviceRedisUrl ?? options.settings.TROUPE_REDIS_URL, {
    commandTimeout: 500,
  });
  const service = createService(
    defineService<Events>()({
      name,
      topics: [options.topic],
      startFrom: 'earliest',
      dedup: true,
      consumes: {
        'test.runtime.Counted': async (event, ctx) => {
          const delay = stream().handlerDelay;
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          await options.effect?.(ctx, ctx.metadata.id);
          stream().applied(ctx.metadata.id);
        },
      },
    }),
    {
      codec,
      config: loadConfig({
        ...env,
        TROUPE_KAFKA_BROKERS: options.serviceBrokers ?? env.TROUPE_KAFKA_BROKERS,
        TROUPE_LOG_LEVEL: 'silent',
      }),
      logger: serviceLogger(name, () => {
        stream().groupJoins += 1;
      }),
      dedupStore: new RedisDedupStore({ redis, service: name, leaseMs: 5_000 }),
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, maxWaitTimeMs: 200 },
      defaultMetrics: false,
    },
  );
  return { service, close: () => redis.disconnect() };
}
