import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What happened to one consumed record. */
export type HandlingOutcome =
  | 'handled'
  | 'ignored'
  | 'duplicate'
  | 'retry-scheduled'
  | 'dead-lettered'
  /** Not handled now (breaker open, or a failure the runtime will redeliver): the offset stays. */
  | 'deferred'
  | 'failed';

export type BreakerStateName = 'closed' | 'half-open' | 'open';
const BREAKER_STATE_VALUE: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * One prom-client Registry per service (never the global one), so two services in one process
 * (as in tests) keep separate numbers. Every series carries the `service` default label.
 * Label children are cached: the hot path does one Map lookup per observation.
 */
export class ServiceMetrics {
  readonly registry: Registry;
  private readonly eventsHandled: Counter<'topic' | 'type' | 'outcome'>;
  private readonly handlerDuration: Histogram<'type' | 'outcome'>;
  private readonly retries: Counter<'type' | 'stage'>;
  private readonly deadLettered: Counter<'topic' | 'code'>;
  private readonly consumerLag: Gauge<'topic' | 'partition'>;
  private readonly breakerState: Gauge<'breaker'>;
  private readonly breakerTransitions: Counter<'breaker' | 'state'>;
  private readonly pausedPartitions: Gauge<'reason'>;
  private readonly counterChildren = new Map<string, { inc(): void }>();
  private readonly histogramChildren = new Map<string, { observe(value: number): void }>();

  constructor(service: string, options: { defaultMetrics?: boolean } = {}) {
    this.registry = new Registry();
    this.registry.setDefaultLabels({ service });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.eventsHandled = new Counter({ name: 'troupe_events_handled_total', help: 'Consumed records by outcome', labelNames: ['topic', 'type', 'outcome'], registers });
    this.handlerDuration = new Histogram({
      name: 'troupe_handler_duration_seconds',
      help: 'Time from the first handler call to the outcome, retries in process included',
      labelNames: ['type', 'outcome'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.retries = new Counter({ name: 'troupe_retries_total', help: 'Retries, in process or via a retry topic', labelNames: ['type', 'stage'], registers });
    this.deadLettered = new Counter({ name: 'troupe_dead_lettered_total', help: 'Records sent to a dead-letter topic, by error code', labelNames: ['topic', 'code'], registers });
    this.consumerLag = new Gauge({ name: 'troupe_consumer_lag', help: 'Records behind the high watermark after the last handled batch', labelNames: ['topic', 'partition'], registers });
    this.breakerState = new Gauge({ name: 'troupe_breaker_state', help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open', labelNames: ['breaker'], registers });
    this.breakerTransitions = new Counter({ name: 'troupe_breaker_transitions_total', help: 'Circuit breaker state changes', labelNames: ['breaker', 'state'], registers });
    this.pausedPartitions = new Gauge({ name: 'troupe_paused_partitions', help: 'Partitions paused by the runtime, by reason', labelNames: ['reason'], registers });
  }

  handled(topic: string, type: string, outcome: HandlingOutcome): void {
    cached(this.counterChildren, `${topic}\0${type}\0${outcome}`, () => this.eventsHandled.labels(topic, type, outcome)).inc();
  }

  observeDuration(type: string, outcome: HandlingOutcome, seconds: number): void {
    cached(this.histogramChildren, `${type}\0${outcome}`, () => this.handlerDuration.labels(type, outcome)).observe(seconds);
  }

  retried(type: string, stage: 'in-process' | 'retry-topic'): void {
    this.retries.labels(type, stage).inc();
  }

  deadLetteredRecord(topic: string, code: string): void {
    this.deadLettered.labels(topic, code).inc();
  }

  lag(topic: string, partition: number, records: number): void {
    this.consumerLag.labels(topic, String(partition)).set(Math.max(0, records));
  }

  breaker(name: string, state: BreakerStateName): void {
    this.breakerState.labels(name).set(BREAKER_STATE_VALUE[state]);
    this.breakerTransitions.labels(name, state).inc();
  }

  paused(reason: 'breaker' | 'retry-due' | 'redelivery', delta: 1 | -1): void {
    this.pausedPartitions.labels(reason).inc(delta);
  }
}

function cached<C>(cache: Map<string, C>, key: string, make: () => C): C {
  let child = cache.get(key);
  if (child === undefined) cache.set(key, (child = make()));
  return child;
}
