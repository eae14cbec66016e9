import type { Logger } from 'pino';
import type { BreakerRegistry } from '../breaker/breaker-registry';
import type { GroupConsumer } from '../kafka/consumer';
import type { ServiceMetrics } from '../observability/metrics';

type Reason = 'breaker' | 'retry-due' | 'redelivery';

/**
 * Pauses one partition of a consumer and rewinds it to the first record not yet handled, then
 * resumes it later: when a timer fires (a retry record is due, or a failed delivery should be
 * tried again) or when a circuit breaker admits calls again. Because the offset of that record
 * was never resolved, nothing after it is committed while the partition waits, and after resume
 * the consumer fetches from exactly that record: nothing is skipped.
 */
export class PartitionPauser {
  private readonly waits = new Map<string, { reason: Reason; cancel: () => void }>();

  constructor(
    private readonly consumer: Pick<GroupConsumer, 'pause' | 'resume' | 'seek'>,
    private readonly breakers: BreakerRegistry,
    private readonly logger: Logger,
    private readonly metrics?: ServiceMetrics,
  ) {}

  /** Pauses until `ms` from now. */
  pauseFor(
    topic: string,
    partition: number,
    offset: string,
    ms: number,
    reason: 'retry-due' | 'redelivery',
  ): void {
    this.pause(topic, partition, offset, reason, (resume) => {
      const timer = setTimeout(resume, ms);
      return () => clearTimeout(timer);
    });
  }

  /** Pauses until breaker `name` half-opens or closes. */
  pauseForBreaker(topic: string, partition: number, offset: string, name: string): void {
    this.pause(topic, partition, offset, 'breaker', (resume) =>
      this.breakers.whenAdmitting(name, resume),
    );
  }

  get pausedCount(): number {
    return this.waits.size;
  }

  /** Cancels every pending resume (on stop): the consumer is leaving, its partitions go elsewhere. */
  clear(): void {
    for (const [, wait] of this.waits) {
      wait.cancel();
      this.metrics?.paused(wait.reason, -1);
    }
    this.waits.clear();
  }

  private pause(
    topic: string,
    partition: number,
    offset: string,
    reason: Reason,
    schedule: (resume: () => void) => () => void,
  ): void {
    const key = `${topic}\0${partition}`;
    const previous = this.waits.get(key);
    if (previous) {
      previous.cancel();
      this.metrics?.paused(previous.reason, -1);
    }
    this.metrics?.paused(reason, 1);
    this.consumer.pause(topic, partition);
    this.consumer.seek(topic, partition, offset);
    const resume = () => {
      if (this.waits.get(key)?.cancel !== cancel) return;
      this.waits.delete(key);
      this.metrics?.paused(reason, -1);
      try {
        this.consumer.resume(topic, partition);
        this.logger.debug({ topic, partition, offset, reason }, 'partition resumed');
      } catch (error) {
        // The consumer stopped meanwhile; its partitions will be assigned afresh.
        this.logger.debug(
          { err: error, topic, partition },
          'partition not resumed: consumer not running',
        );
      }
    };
    const cancel = schedule(resume);
    this.waits.set(key, { reason, cancel });
    this.logger.debug({ topic, partition, offset, reason }, 'partition paused');
  }
}
