import { withTimeout } from '@troupe/kit';
import type { RedisTrafficRouter } from '@troupe-services/pipeline';
import type { ReleaseView } from '@troupe-services/releases';
import { PipelineLauncher, describeExit } from './launcher';
import type { EventObserver, ObservedEvent } from './observer';

export type Ending = 'Promoted' | 'TestsFailed' | 'RolledBack';

const ENDINGS: readonly string[] = ['Promoted', 'TestsFailed', 'RolledBack'];
const PROJECTED: Record<Ending, ReleaseView['state']> = {
  Promoted: 'PROMOTED',
  TestsFailed: 'TESTS_FAILED',
  RolledBack: 'ROLLED_BACK',
};

export interface Recovery {
  /** Where the canary's errors began, per the watchdog (start of that sample window). */
  firstBadSampleAt: number;
  rolledBackAt: number;
  /** rolledBackAt - firstBadSampleAt. */
  ms: number;
  /** When the RolledBack event was published (its ce_time); later than rolledBackAt after a crash. */
  publishedAt: number;
  /** The window in which the simulator really began the spike (ground truth), when known. */
  spikeBeganAt?: number;
}

export interface ScenarioOutcome {
  scenario: string;
  releaseId: string;
  correlationId: string;
  service: string;
  version: string;
  expected: Ending;
  reached?: string;
  projectedState?: string;
  ok: boolean;
  problems: string[];
  notes: string[];
  recovery?: Recovery;
  /** Counts the exactly-once checks rest on. */
  rolledBackEvents?: number;
  routerRollbacks?: number;
  /** Whether this run's recovery time counts towards the spike median. */
  timed?: boolean;
}

export interface ScenarioContext {
  launcher: PipelineLauncher;
  observer: EventObserver;
  router: RedisTrafficRouter;
  /** Longest a release may take to reach its end. */
  endTimeoutMs: number;
  /** Wait after the end before counting, so a duplicate would have shown up. */
  settleMs: number;
  /** Resolves once the rollback service's group has committed everything on the releases topic. */
  rollbackCaughtUp: () => Promise<void>;
  log: (line: string) => void;
}

/** The scenarios, each from a release request through the end it must reach, judged from the events. */
export class Scenarios {
  constructor(private readonly ctx: ScenarioContext) {}

  healthyRelease(service = 'checkout', version = '2.4.0'): Promise<ScenarioOutcome> {
    return this.play(
      'healthy release is promoted',
      { service, version, canaryShare: 0.2 },
      'Promoted',
      async (o) => {
        const routing = await this.ctx.router.release(o.releaseId);
        if (routing?.promotions !== 1)
          o.problems.push(`expected the router to promote once, found ${routing?.promotions ?? 0}`);
      },
    );
  }

  failingTests(service = 'payments', version = '3.1.0-broken-tests'): Promise<ScenarioOutcome> {
    return this.play(
      'release whose tests fail',
      { service, version, canaryShare: 0.2 },
      'TestsFailed',
      async (o) => {
        if (this.ctx.observer.ofRelease(o.releaseId).some((e) => e.name === 'CanaryStarted'))
          o.problems.push('a canary started although the tests failed');
        await this.ctx.observer
          .waitFor(
            'an AlertRaised for the failed tests',
            (e) => e.name === 'AlertRaised' && e.payload.releaseId === o.releaseId,
            10_000,
          )
          .catch((error: Error) => o.problems.push(error.message));
      },
    );
  }

  spike(run: number, service = 'search', version = `5.0.${run}-spike`): Promise<ScenarioOutcome> {
    return this.play(
      `canary spike #${run} is rolled back`,
      { service, version, canaryShare: 0.2 },
      'RolledBack',
      (o) => this.checkSingleRollback(o),
      true,
    );
  }

  /** The rollback service is SIGKILLed the moment the canary is reported degraded, then restarted. */
  rollbackKilledDuringSpike(service = 'cart', version = '1.8.0-spike'): Promise<ScenarioOutcome> {
    const { launcher, observer, router, endTimeoutMs } = this.ctx;
    return this.play(
      'rollback killed (SIGKILL) during the spike',
      { service, version, canaryShare: 0.2 },
      'RolledBack',
      (o) => this.checkSingleRollback(o),
      false,
      async (o) => {
        const degraded = await observer.waitFor(
          'CanaryDegraded',
          (e) => e.key === o.releaseId && e.name === 'CanaryDegraded',
          endTimeoutMs,
        );
        const exit = await launcher.kill('rollback');
        const before = (await router.release(o.releaseId))?.rollbacks ?? 0;
        o.notes.push(
          `rollback ${describeExit(exit)} ${Date.now() - degraded.receivedAt} ms after CanaryDegraded reached the topic; the router had ${before ? 'already' : 'not yet'} rolled back`,
        );
        await launcher.start('rollback', {}, { waitReady: false });
        o.notes.push('rollback restarted');
      },
    );
  }

  /**
   * The worst moments: the rollback service dies (SIGKILL, by fault injection) right after the
   * router rolled back and before RolledBack is published (`after-router`), or right after Kafka
   * stored RolledBack and before the dedup mark and the offset commit (`after-publish`). The
   * restarted instance gets the event again and must neither roll back twice nor publish twice.
   */
  rollbackCrashes(
    fault: 'after-router' | 'after-publish',
    service = fault === 'after-router' ? 'profile' : 'orders',
    version = fault === 'after-router' ? '3.2.0-spike' : '7.0.0-spike',
  ): Promise<ScenarioOutcome> {
    const { launcher, observer, router, endTimeoutMs } = this.ctx;
    const moment =
      fault === 'after-router' ? 'between router call and publish' : 'between publish and commit';
    return this.play(
      `rollback crashes ${moment}`,
      { service, version, canaryShare: 0.2 },
      'RolledBack',
      (o) => this.checkSingleRollback(o),
      false,
      async (o) => {
        const exit = await withTimeout(
          launcher.exited('rollback'),
          endTimeoutMs,
          'waiting for the rollback service to crash',
        );
        await sleep(500); // let the observer read whatever the dead process got out
        const routing = await router.release(o.releaseId);
        const published = observer
          .ofRelease(o.releaseId)
          .filter((e) => e.name === 'RolledBack').length;
        o.notes.push(
          `rollback ${describeExit(exit)} ${moment}: router rollbacks ${routing?.rollbacks ?? 0}, RolledBack events ${published}`,
        );
        await launcher.start('rollback', {}, { waitReady: false });
        o.notes.push('rollback restarted without the fault');
      },
      async () => {
        await launcher.stop('rollback');
        await launcher.start('rollback', { TROUPE_ROLLBACK_FAULT: fault });
      },
    );
  }

  private async play(
    scenario: string,
    body: { service: string; version: string; canaryShare: number },
    expected: Ending,
    check: (outcome: ScenarioOutcome) => Promise<void>,
    timed = false,
    during?: (outcome: ScenarioOutcome) => Promise<void>,
    before?: () => Promise<void>,
  ): Promise<ScenarioOutcome> {
    const { observer, endTimeoutMs, log } = this.ctx;
    const outcome: ScenarioOutcome = {
      scenario,
      releaseId: '',
      correlationId: '',
      ...body,
      expected,
      ok: false,
      problems: [],
      notes: [],
      timed,
    };
    try {
      await before?.();
      outcome.releaseId = await this.requestRelease(body);
      log(`${scenario}: requested ${body.service} ${body.version} → release ${outcome.releaseId}`);
      await during?.(outcome);
      const end = await observer.waitFor(
        `the end of release ${outcome.releaseId}`,
        (e) => e.key === outcome.releaseId && ENDINGS.includes(e.name),
        endTimeoutMs,
      );
      outcome.reached = end.name;
      outcome.correlationId = end.correlationId;
      if (end.name !== expected)
        outcome.problems.push(
          `expected the release to end with ${expected}, it ended with ${end.name}`,
        );
      if (end.name === 'RolledBack')
        outcome.recovery = await this.recoveryOf(end, outcome.releaseId);
      outcome.projectedState = await this.projectedState(outcome.releaseId, PROJECTED[expected]);
      if (outcome.projectedState !== PROJECTED[expected])
        outcome.problems.push(
          `expected GET /releases/${outcome.releaseId} to show ${PROJECTED[expected]}, it shows ${outcome.projectedState}`,
        );
      await check(outcome);
    } catch (error) {
      outcome.problems.push((error as Error).message);
    }
    outcome.ok = outcome.problems.length === 0;
    log(
      `${scenario}: ${outcome.ok ? 'ok' : `FAILED: ${outcome.problems.join('; ')}`}${outcome.recovery ? ` (recovery ${(outcome.recovery.ms / 1000).toFixed(2)} s)` : ''}`,
    );
    return outcome;
  }

  /** Exactly one RolledBack on the topic and exactly one rollback on the router, and no promotion. */
  private async checkSingleRollback(outcome: ScenarioOutcome): Promise<void> {
    const { launcher, observer, router, settleMs } = this.ctx;
    // A restarted rollback service must be back and caught up before "only one" means anything.
    await launcher.waitReady('rollback');
    await this.ctx.rollbackCaughtUp();
    await sleep(settleMs);
    const events = observer.ofRelease(outcome.releaseId);
    outcome.rolledBackEvents = events.filter((e) => e.name === 'RolledBack').length;
    outcome.routerRollbacks = (await router.release(outcome.releaseId))?.rollbacks ?? 0;
    if (outcome.rolledBackEvents !== 1)
      outcome.problems.push(
        `expected exactly one RolledBack event, found ${outcome.rolledBackEvents}`,
      );
    if (outcome.routerRollbacks !== 1)
      outcome.problems.push(
        `expected the router to roll back exactly once, found ${outcome.routerRollbacks}`,
      );
    if (events.some((e) => e.name === 'Promoted'))
      outcome.problems.push('the degraded canary was promoted');
  }

  private async requestRelease(body: object): Promise<string> {
    const response = await fetch(`${this.ctx.launcher.releasesUrl}/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, requestedBy: 'demo' }),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json()) as { releaseId?: string; message?: string };
    if (response.status !== 202 || !answer.releaseId)
      throw new Error(
        `POST /releases: expected 202 with a releaseId, found ${response.status} ${JSON.stringify(answer)}`,
      );
    return answer.releaseId;
  }

  /** Polls GET /releases/:id until it shows `wanted` (the projection follows the events) or 10 s pass. */
  private async projectedState(releaseId: string, wanted: string): Promise<string | undefined> {
    const deadline = Date.now() + 10_000;
    let state: string | undefined;
    while (Date.now() < deadline) {
      const response = await fetch(`${this.ctx.launcher.releasesUrl}/releases/${releaseId}`, {
        signal: AbortSignal.timeout(5_000),
      });
      state = response.ok
        ? ((await response.json()) as ReleaseView).state
        : `HTTP ${response.status}`;
      if (state === wanted) return state;
      await sleep(100);
    }
    return state;
  }

  private async recoveryOf(rolledBack: ObservedEvent, releaseId: string): Promise<Recovery> {
    const firstBadSampleAt = toMs(rolledBack.payload.firstBadSampleAt);
    const rolledBackAt = toMs(rolledBack.payload.rolledBackAt);
    const recovery: Recovery = {
      firstBadSampleAt,
      rolledBackAt,
      ms: rolledBackAt - firstBadSampleAt,
      publishedAt: rolledBack.time,
    };
    try {
      const response = await fetch(`${this.ctx.launcher.telemetryUrl}/spikes`, {
        signal: AbortSignal.timeout(5_000),
      });
      const { starts } = (await response.json()) as {
        starts: { releaseId: string | null; firstBadWindowStart: string }[];
      };
      const start = starts.find((s) => s.releaseId === releaseId);
      if (start) recovery.spikeBeganAt = Date.parse(start.firstBadWindowStart);
    } catch {
      // Ground truth is a nicety; the recovery time comes from the events.
    }
    return recovery;
  }
}

export function toMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return Date.parse(String(value));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
