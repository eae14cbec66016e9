import type { Logger } from 'pino';
import { BreakerRegistry, BreakerSettings } from '../breaker/breaker-registry';
import type { EventCodec } from '../codec/codec';
import { loadConfig, TroupeConfig } from '../config/service-config';
import { OpsServer, ProbeResult, startOpsServer } from '../observability/http-server';
import { createLogger } from '../observability/logger';
import { ServiceMetrics } from '../observability/metrics';
import { Publisher } from '../publish/publisher';
import { FailureRouter } from '../retry/failure-router';
import { failureTopicsFor } from '../retry/retry-topics';
import { dedupMiddleware } from '../dedup/middleware';
import type { DedupStore } from '../dedup/store';
import { createKafkaDriver } from '../kafka/create-driver';
import type { KafkaDriver } from '../kafka/driver';
import { createBatchProcessor } from './batch-processor';
import { ConsumerState, startConsumer } from './consumer';
import { ConsumerLag } from './consumer-lag';
import {
  DedupDeclaration,
  EventMap,
  PublishMap,
  ServiceDefinition,
  ServiceDefinitionError,
  resolveHandlers,
  validateDefinition,
} from './define-service';
import { ensureFailureTopics } from './failure-topics';
import { pinNewGroupAtEnd } from './start-position';
import { buildHandlerChain } from './handler-chain';
import { PartitionPauser } from './partition-pauser';
import { withTimeout } from './timers';

export interface ConsumerTuning {
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for data; also bounds how long stop() waits for an idle fetch. Default 1s. */
  maxWaitTimeMs?: number;
  maxBytesPerPartition?: number;
}

export interface ServiceOptions {
  codec: EventCodec;
  /** Defaults to loadConfig(process.env). */
  config?: TroupeConfig;
  /** The Kafka driver; defaults to the one the config names (TROUPE_KAFKA_DRIVER), kafkajs unless set. */
  kafka?: KafkaDriver;
  logger?: Logger;
  retry?: Partial<TroupeConfig['retry']>;
  partitionConcurrency?: number;
  handlerTimeoutMs?: number;
  breakers?: { defaults?: BreakerSettings; perName?: Record<string, BreakerSettings> };
  consumer?: ConsumerTuning;
  /** The /healthz, /readyz, /metrics server; off unless given (runService turns it on from config). */
  http?: false | { port: number; host?: string };
  /** Events whose type no handler consumes: skipped (default) or dead-lettered. */
  unhandledEvents?: 'ignore' | 'dead-letter';
  /** Create missing `<topic>.retry.<n>` and `<topic>.dlq` topics at start. Default true. */
  createFailureTopics?: boolean;
  /** Wait before an event whose failure could not be settled (e.g. the DLQ was unreachable) is tried again. Default 5s. */
  redeliveryDelayMs?: number;
  /** How often troupe_consumer_lag reads the high watermarks while no fetch returns (a stuck batch). Default 5s. */
  lagRefreshMs?: number;
  defaultMetrics?: boolean;
  /**
   * Where a service whose definition declares `dedup` keeps its leases and done marks (e.g.
   * `new RedisDedupStore({ redis, service })`). Required exactly when the definition declares dedup.
   */
  dedupStore?: DedupStore;
}

export interface StopOptions {
  /** How long in-flight handlers get to finish before they are aborted. Default: config shutdownTimeoutMs. */
  deadlineMs?: number;
}

/**
 * A running service: a consumer group on its topics, another on their retry topics, one
 * idempotent producer, its breakers, metrics and (optionally) the operations HTTP server.
 * Create it with createService(definition, options); runService also wires signals.
 */
export class TroupeService {
  readonly name: string;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly breakers: BreakerRegistry;
  readonly publisher: Publisher;
  readonly config: TroupeConfig;
  private readonly kafka: KafkaDriver;
  private readonly draining = new AbortController();
  private readonly hardStop = new AbortController();
  private consumers: ConsumerState[] = [];
  private pausers: PartitionPauser[] = [];
  private lags: ConsumerLag[] = [];
  private ops?: OpsServer;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopped?: Promise<void>;

  constructor(
    private readonly definition: ServiceDefinition,
    private readonly options: ServiceOptions,
  ) {
    validateDefinition(definition);
    this.name = definition.name;
    checkDedupStore(definition, options);
    this.config = options.config ?? loadConfig();
    const instanceId = this.config.instanceId;
    this.logger =
      options.logger ??
      createLogger({ service: this.name, level: this.config.logLevel, instanceId });
    this.metrics = new ServiceMetrics(this.name, { defaultMetrics: options.defaultMetrics });
    this.kafka =
      options.kafka ??
      createKafkaDriver(this.config.kafka, { clientId: this.name, logger: this.logger });
    this.breakers = new BreakerRegistry({
      ...options.breakers,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.publisher = new Publisher({
      kafka: this.kafka,
      codec: options.codec,
      source: this.name,
      logger: this.logger,
    });
  }

  /** The ops server's port (useful with port 0), when it runs. */
  get httpPort(): number | undefined {
    return this.ops?.port;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`service ${this.name} was already started`);
    this.state = 'starting';
    try {
      await this.startParts();
      this.state = 'running';
      this.logger.info({ topics: this.definition.topics }, 'service started');
    } catch (error) {
      this.logger.error({ err: error }, 'service failed to start');
      await this.stop({ deadlineMs: 5_000 }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Stops taking new events, lets in-flight handlers finish (up to the deadline, then aborts
   * their signal), commits what was settled, leaves the groups and disconnects. Events not
   * settled stay uncommitted and are delivered again to whoever gets their partitions.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopped ??= this.shutdown(options.deadlineMs ?? this.config.shutdownTimeoutMs);
    return this.stopped;
  }

  live(): ProbeResult {
    const crashed = this.consumers.filter((c) => c.crashed).map((c) => c.groupId);
    return {
      ok: crashed.length === 0 && this.state !== 'stopped',
      detail: { state: this.state, crashed },
    };
  }

  ready(): ProbeResult {
    const main = this.consumers[0];
    const assigned = main?.assignedPartitions ?? 0;
    const ok = this.state === 'running' && !!main && !main.crashed && assigned > 0;
    return {
      ok,
      detail: {
        state: this.state,
        assignedPartitions: assigned,
        pausedPartitions: this.pausers.reduce((n, p) => n + p.pausedCount, 0),
      },
    };
  }

  private async startParts(): Promise<void> {
    const retry = { ...this.config.retry, ...this.options.retry };
    const topics = this.definition.topics;
    await this.publisher.connect();
    const admin = this.kafka.admin();
    await withTimeout(admin.connect(), 30_000, 'admin connect');
    try {
      if (this.options.createFailureTopics ?? true) {
        const created = await ensureFailureTopics(admin, topics, retry.topicDelaysMs);
        if (created.length > 0)
          this.logger.info({ created }, 'created retry and dead-letter topics');
      }
      if ((this.definition.startFrom ?? 'latest') === 'latest') {
        const pinned = await pinNewGroupAtEnd(admin, this.name, topics);
        if (pinned.length > 0)
          this.logger.info({ pinned }, 'new consumer group: starting at the end of its topics');
      }
    } finally {
      await admin.disconnect();
    }

    const handlers = resolveHandlers(this.definition);
    const router = new FailureRouter({
      service: this.name,
      sender: this.publisher,
      topicDelaysMs: retry.topicDelaysMs,
      isPermanent: this.definition.isPermanentError,
    });
    const { chain, middleware } = buildHandlerChain({
      service: this.name,
      handlers,
      dedup: this.definition.dedup
        ? dedupMiddleware(
            this.options.dedupStore!,
            this.definition.dedup === true ? {} : this.definition.dedup,
          )
        : undefined,
      userMiddleware: this.definition.middleware ?? [],
      router,
      breakers: this.breakers,
      metrics: this.metrics,
      logger: this.logger,
      retry,
      handlerTimeoutMs: this.options.handlerTimeoutMs ?? this.config.handlerTimeoutMs,
      draining: this.draining.signal,
    });
    const contextEnv = {
      service: this.name,
      logger: this.logger,
      publisher: this.publisher,
      publishes: this.definition.publishes ?? {},
      breakers: this.breakers,
      signal: this.hardStop.signal,
    };

    const tiers: { groupId: string; topics: string[]; retryTier: boolean }[] = [
      { groupId: this.name, topics: [...topics], retryTier: false },
    ];
    const retryTopics = topics.flatMap((t) => failureTopicsFor(t, retry.topicDelaysMs).retry);
    if (retryTopics.length > 0)
      tiers.push({ groupId: `${this.name}.retry`, topics: retryTopics, retryTier: true });

    for (const tier of tiers) {
      const tuning = this.options.consumer ?? {};
      const consumer = this.kafka.consumer({
        groupId: tier.groupId,
        sessionTimeoutMs: tuning.sessionTimeoutMs,
        heartbeatIntervalMs: tuning.heartbeatIntervalMs,
        rebalanceTimeoutMs: tuning.rebalanceTimeoutMs,
        maxWaitTimeMs: tuning.maxWaitTimeMs,
        maxBytesPerPartition: tuning.maxBytesPerPartition,
      });
      const pauser = new PartitionPauser(
        consumer,
        this.breakers,
        this.logger.child({ group: tier.groupId }),
        this.metrics,
      );
      this.pausers.push(pauser);
      const lag = new ConsumerLag(this.metrics, {
        admin: this.kafka.admin(),
        intervalMs: this.options.lagRefreshMs ?? 5_000,
        logger: this.logger.child({ group: tier.groupId }),
      });
      this.lags.push(lag);
      const onBatch = createBatchProcessor({
        service: this.name,
        codec: this.options.codec,
        hasHandler: (type) => handlers.has(type),
        chain,
        middleware,
        router,
        pauser,
        contextEnv,
        metrics: this.metrics,
        lag,
        logger: this.logger,
        retryTier: tier.retryTier,
        draining: this.draining.signal,
        redeliveryDelayMs: this.options.redeliveryDelayMs ?? 5_000,
        unhandledEvents: this.options.unhandledEvents ?? 'ignore',
      });
      const state = await startConsumer(consumer, {
        groupId: tier.groupId,
        topics: tier.topics,
        // Uncommitted partitions are read from their beginning: partitions added later, the
        // retry topics (written only by this service), or every topic under startFrom 'earliest'.
        // A new group under 'latest' was pinned at the end above.
        fromBeginning: true,
        partitionConcurrency: this.options.partitionConcurrency ?? this.config.partitionConcurrency,
        onBatch,
        lag,
        logger: this.logger,
      });
      this.consumers.push(state);
    }

    const http = this.options.http;
    if (http)
      this.ops = await startOpsServer({
        port: http.port,
        host: http.host,
        registry: this.metrics.registry,
        probes: { live: () => this.live(), ready: () => this.ready() },
      });
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    const previous = this.state;
    this.state = 'stopping';
    this.logger.info({ deadlineMs, previous }, 'service stopping: draining in-flight events');
    this.draining.abort();
    const deadline = setTimeout(() => {
      this.logger.warn({ deadlineMs }, 'stop deadline passed: aborting in-flight handlers');
      this.hardStop.abort(new Error('stop deadline passed'));
    }, deadlineMs);
    try {
      // stop() waits for in-flight batches (which stop after their current event and commit), then leaves the group.
      const disconnects = this.consumers.map((c) => c.consumer.stop());
      await withTimeout(Promise.allSettled(disconnects), deadlineMs + 5_000, 'consumer disconnect');
    } catch (error) {
      this.logger.error({ err: error }, 'consumers did not disconnect in time');
    } finally {
      clearTimeout(deadline);
      for (const pauser of this.pausers) pauser.clear();
      await Promise.all(this.lags.map((lag) => lag.close()));
      this.breakers.shutdown();
      await this.publisher
        .disconnect()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'producer disconnect failed'));
      await this.ops?.close();
      this.state = 'stopped';
      this.logger.info('service stopped');
    }
  }
}

/** A definition that declares dedup needs a store, and a store needs a definition that uses it. */
function checkDedupStore(definition: ServiceDefinition, options: ServiceOptions): void {
  if (definition.dedup && !options.dedupStore)
    throw new ServiceDefinitionError(
      definition.name,
      'declares "dedup" but no dedupStore was given in the service options (e.g. new RedisDedupStore({ redis, service }))',
    );
  if (!definition.dedup && options.dedupStore)
    throw new ServiceDefinitionError(
      definition.name,
      'a dedupStore was given but the definition does not declare "dedup" (add dedup: true)',
    );
}

/** Creates (does not start) a service from its definition. */
export function createService<
  E extends EventMap,
  P extends PublishMap<E>,
  D extends DedupDeclaration | undefined,
>(definition: ServiceDefinition<E, P, D>, options: ServiceOptions): TroupeService {
  return new TroupeService(definition as unknown as ServiceDefinition, options);
}
