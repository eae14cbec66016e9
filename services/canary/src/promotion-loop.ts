import { Events } from '@troupe/contracts';
import type { DependencyBreaker, Publisher } from '@troupe/kit';
import { RedisTrafficRouter, releaseEventId } from '@troupe-services/pipeline';
import type { Logger } from 'pino';
import type { CanaryState, PendingPromotion } from './canary-state';

export interface PromotionLoopOptions {
  state: CanaryState;
  router: RedisTrafficRouter;
  breaker: DependencyBreaker;
  publisher: Publisher;
  releasesTopic: string;
  logger: Logger;
  /** How often due promotions are looked for. */
  intervalMs: number;
  /** How long a claimed promotion is ours before another instance may take it. */
  leaseMs?: number;
}

/**
 * Promotes canaries whose observation window ended healthy. Runs beside the consumer (a timer,
 * not an event, ends the window): claims due entries, skips releases that degraded or were rolled
 * back meanwhile, promotes on the router (the router refuses if a rollback won the race) and
 * publishes Promoted in the release's flow (its correlation id, caused by CanaryStarted).
 */
export class PromotionLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: PromotionLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass; exposed for tests. */
  async promoteDue(now = Date.now()): Promise<void> {
    const { state, logger } = this.options;
    const due = await state.claimDue(now, this.options.leaseMs ?? 10_000);
    for (const promotion of due) {
      try {
        await this.promote(promotion);
      } catch (error) {
        // The lease brings it back; the breaker keeps a dead router from being hammered.
        logger.warn({ err: error, releaseId: promotion.releaseId }, 'promotion failed; will retry');
      }
    }
  }

  private async promote(promotion: PendingPromotion): Promise<void> {
    const { state, router, breaker, publisher, logger } = this.options;
    const { releaseId, service } = promotion;
    const halted = await state.haltedBecause(releaseId);
    if (halted) {
      logger.info({ releaseId, halted }, 'not promoting');
      await state.done(releaseId);
      return;
    }
    const result = await breaker.run(() => router.promote(service, releaseId));
    if (result.outcome === 'refused') {
      logger.info({ releaseId, reason: result.reason }, 'router refused the promotion');
      await state.done(releaseId);
      return;
    }
    await publisher.publish({
      type: Events.Promoted,
      topic: this.options.releasesTopic,
      key: releaseId,
      id: releaseEventId(releaseId, 'Promoted'),
      correlationId: promotion.correlationId,
      causationId: promotion.causationId,
      traceparent: promotion.traceparent,
      payload: {
        releaseId,
        service,
        version: result.version,
        previousVersion: result.previousVersion,
        promotedAt: new Date(result.at),
      },
    });
    await state.done(releaseId);
    logger.info({ releaseId, service, version: result.version }, 'promoted');
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.promoteDue()
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'promotion pass failed'),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.options.intervalMs);
  }
}
