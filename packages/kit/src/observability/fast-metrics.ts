import type {
  Metric,
  MetricObjectWithValues,
  MetricValue,
  MetricValueWithName,
  Registry,
} from 'prom-client';

type Labels = Record<string, string>;

/** Values are kept current as they change: there is nothing to gather at scrape time. */
const noCollect = (): void => undefined;

/**
 * Counters and histograms for the per-event hot path. prom-client hashes the label object on
 * every observation; here a caller asks once for a series (a handle) and then increments plain
 * numbers. The registry renders them like its own metrics (same text format, default labels
 * included), at scrape time.
 */
abstract class FastMetric<S extends { labels: Labels }> {
  readonly aggregator = 'sum';
  protected readonly all = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    // prom-client only reads name/help/type and calls get() and reset(): any object with those renders.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series for these labels; keep the handle, looking it up is the slow part. */
  series(labels: Labels): S {
    const key = JSON.stringify(labels);
    let series = this.all.get(key);
    if (!series) this.all.set(key, (series = this.create(labels)));
    return series;
  }

  protected abstract create(labels: Labels): S;
  abstract reset(): void;
}

export interface CounterSeries {
  readonly labels: Labels;
  value: number;
}

export class FastCounter extends FastMetric<CounterSeries> {
  readonly type = 'counter';

  protected create(labels: Labels): CounterSeries {
    return { labels, value: 0 };
  }

  async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    const values = [...this.all.values()].map((s) => ({ labels: s.labels, value: s.value }));
    return {
      name: this.name,
      help: this.help,
      type: this.type as never,
      aggregator: this.aggregator,
      values,
      collect: noCollect,
    };
  }

  reset(): void {
    for (const s of this.all.values()) s.value = 0;
  }
}

export class HistogramSeries {
  /** Count per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class FastHistogram extends FastMetric<HistogramSeries> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, registry);
  }

  protected create(labels: Labels): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.all.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...s.labels, le },
          value: cumulative,
        });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { ...s.labels, le: '+Inf' },
        value: s.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type as never,
      aggregator: this.aggregator,
      values,
      collect: noCollect,
    };
  }

  reset(): void {
    for (const s of this.all.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
