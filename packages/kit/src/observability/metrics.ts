import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CounterSeries, FastCounter, FastHistogram, HistogramSeries } from './fast-metrics';

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
const BREAKER_STATE_VALUE: Record<BreakerStateName, number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/**
 * One prom-client Registry per service (never the global one), so two services in one process
 * (as in tests) keep separate numbers. Every series carries the `service` default label.
 * The per-event series (handled, duration) are plain numbers behind cached handles (fast-metrics.ts).
 */
export class ServiceMetrics {
  readonly registry: Registry;
  private readonly eventsHandled: FastCounter;
  private readonly handlerDuration: FastHistogram;
  private readonly retries: Counter<'type' | 'stage'>;
  private readonly deadLettered: Counter<'topic' | 'code'>;
  private readonly consumerLag: Gauge<'topic' | 'partition'>;
  private readonly breakerState: Gauge<'breaker'>;
  private readonly breakerTransitions: Counter<'breaker' | 'state'>;
  private readonly pausedPartitions: Gauge<'reason'>;
  private readonly meters = new Map<string, Map<string, EventMeters>>();

  constructor(service: string, options: { defaultMetrics?: boolean } = {}) {
    this.registry = new Registry();
    this.registry.setDefaultLabels({ service });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.eventsHandled = new FastCounter(
      'troupe_events_handled_total',
      'Consumed records by outcome',
      this.registry,
    );
    this.handlerDuration = new FastHistogram(
      'troupe_handler_duration_seconds',
      'Time from the first handler call to the outcome, retries in process included',
      [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      this.registry,
    );
    this.retries = new Counter({
      name: 'troupe_retries_total',
      help: 'Retries, in process or via a retry topic',
      labelNames: ['type', 'stage'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'troupe_dead_lettered_total',
      help: 'Records sent to a dead-letter topic, by error code',
      labelNames: ['topic', 'code'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'troupe_consumer_lag',
      help: 'Records from the next one to process (the first not settled) to the high watermark; refreshed from the broker while a batch is stuck',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.breakerState = new Gauge({
      name: 'troupe_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'],
      registers,
    });
    this.breakerTransitions = new Counter({
      name: 'troupe_breaker_transitions_total',
      help: 'Circuit breaker state changes',
      labelNames: ['breaker', 'state'],
      registers,
    });
    this.pausedPartitions = new Gauge({
      name: 'troupe_paused_partitions',
      help: 'Partitions paused by the runtime, by reason',
      labelNames: ['reason'],
      registers,
    });
  }

  /** The meters of one event type on one topic; cached, so the hot path does two Map lookups. */
  eventMeters(topic: string, type: string): EventMeters {
    let byType = this.meters.get(topic);
    if (!byType) this.meters.set(topic, (byType = new Map()));
    let meters = byType.get(type);
    if (!meters)
      byType.set(
        type,
        (meters = new EventMeters(topic, type, this.eventsHandled, this.handlerDuration)),
      );
    return meters;
  }

  handled(topic: string, type: string, outcome: HandlingOutcome): void {
    this.eventMeters(topic, type).handled(outcome);
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

  /** Drops a partition's lag series: this member no longer consumes it, so any value would be stale. */
  removeLag(topic: string, partition: number): void {
    this.consumerLag.remove(topic, String(partition));
  }

  /** Records a breaker's state; `transition: false` for its initial state, which is not a change. */
  breaker(name: string, state: BreakerStateName, transition = true): void {
    this.breakerState.labels(name).set(BREAKER_STATE_VALUE[state]);
    if (transition) this.breakerTransitions.labels(name, state).inc();
  }

  paused(reason: 'breaker' | 'retry-due' | 'redelivery', delta: 1 | -1): void {
    this.pausedPartitions.labels(reason).inc(delta);
  }
}

/** Counters and duration histograms of one (topic, event type), a series per outcome made on first use. */
export class EventMeters {
  private readonly counters: Partial<Record<HandlingOutcome, CounterSeries>> = {};
  private readonly durations: Partial<Record<HandlingOutcome, HistogramSeries>> = {};

  constructor(
    private readonly topic: string,
    private readonly type: string,
    private readonly counter: FastCounter,
    private readonly histogram: FastHistogram,
  ) {}

  handled(outcome: HandlingOutcome): void {
    (this.counters[outcome] ??= this.counter.series({
      topic: this.topic,
      type: this.type,
      outcome,
    })).value++;
  }

  observe(outcome: HandlingOutcome, seconds: number): void {
    (this.durations[outcome] ??= this.histogram.series({ type: this.type, outcome })).observe(
      seconds,
    );
  }
}
