import type { ServiceMetrics } from '../observability/metrics';

/**
 * The `troupe_consumer_lag` series of one consumer's partitions. The batch processor records
 * every fetched batch, settled or not: a partition held at an open breaker, a redelivered
 * failure or a retry record not yet due is exactly where lag grows, so its number must move too.
 * A partition's series exists only while this member owns it: a (re)join that moves it to
 * another member removes it, and so does the consumer stopping; a number left behind would
 * never change again, and summed over the group it would count the same records twice.
 *
 * Limit: a paused partition is not fetched, so its number is the one of its last fetch; it is
 * refreshed each time the partition is fetched again (a breaker trial, a redelivery, a retry
 * record coming due).
 */
export class ConsumerLag {
  private assigned = new Map<string, ReadonlySet<number>>();

  constructor(private readonly metrics: ServiceMetrics) {}

  /**
   * @param highWatermark the fetched batch's high watermark
   * @param next offset of the next record this member will process: the first not settled
   */
  record(topic: string, partition: number, highWatermark: string, next: string): void {
    // A batch that was still running when a rejoin took its partition away: not ours to report.
    if (this.assigned.get(topic)?.has(partition) !== true) return;
    this.metrics.lag(topic, partition, Number(BigInt(highWatermark) - BigInt(next)));
  }

  /** The member's assignment after a (re)join (kafkajs GROUP_JOIN): drops the partitions it lost. */
  assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const [topic, partitions] of this.assigned) {
      const kept = assignment[topic];
      for (const partition of partitions)
        if (kept?.includes(partition) !== true) this.metrics.removeLag(topic, partition);
    }
    this.assigned = new Map(
      Object.entries(assignment).map(([topic, partitions]) => [topic, new Set(partitions)]),
    );
  }

  /** The consumer stopped (or crashed for good): its partitions belong to other members now. */
  clear(): void {
    this.assign({});
  }
}
