import type { ObservedEvent } from './observer';
import { ScenarioOutcome, toMs } from './scenarios';

const pct = (value: unknown) => `${(Number(value) * 100).toFixed(1)}%`;
const seconds = (ms: number) => `${ms >= 0 ? '+' : '-'}${(Math.abs(ms) / 1000).toFixed(3)} s`;

/** One line saying what the event says. */
export function describeEvent(event: ObservedEvent, t0: number): string {
  const p = event.payload;
  switch (event.name) {
    case 'ReleaseRequested':
      return `${p.service} ${p.version}, canary share ${pct(p.canaryShare)}, by ${p.requestedBy}`;
    case 'TestsPassed':
      return `${p.passedTests} tests passed in ${p.durationMs} ms`;
    case 'TestsFailed':
      return `${p.reason}: ${(p.failedTests as string[]).join(', ')}`;
    case 'CanaryStarted':
      return `${pct(p.share)} of traffic on ${p.version}, the rest on ${p.stableVersion}`;
    case 'CanaryDegraded':
      return `canary errors ${pct(p.canaryErrorRate)} vs stable ${pct(p.baselineErrorRate)} (z ${Number(p.zScore).toFixed(1)}, p ${Number(p.pValue).toExponential(1)}, ${p.samples} requests); first bad window ${seconds(toMs(p.firstBadSampleAt) - t0)}`;
    case 'Promoted':
      return `${p.version} serves all traffic (was ${p.previousVersion})`;
    case 'RolledBack':
      return `all traffic back on ${p.toVersion}, ${toMs(p.rolledBackAt) - toMs(p.firstBadSampleAt)} ms after the first bad sample`;
    case 'AlertRaised':
      return `${p.severity}: ${p.summary}`;
    default:
      return '';
  }
}

/** A release's timeline, from its events on the topics grouped by correlation id, times relative to the first. */
export function timeline(
  outcome: ScenarioOutcome,
  events: readonly ObservedEvent[],
  index: number,
): string[] {
  const lines = [
    `${index}. ${outcome.scenario} — ${outcome.service} ${outcome.version}`,
    `   release ${outcome.releaseId || '(none)'}, correlation ${outcome.correlationId || '(unknown)'}`,
  ];
  const t0 = events[0]?.time ?? 0;
  const marks: { time: number; text: string }[] = [];
  if (outcome.recovery) {
    marks.push({
      time: outcome.recovery.firstBadSampleAt,
      text: 'first bad sample window (watchdog)',
    });
    if (outcome.recovery.spikeBeganAt !== undefined)
      marks.push({ time: outcome.recovery.spikeBeganAt, text: 'spike began (simulator)' });
  }
  const rows = [
    ...events.map((e) => ({
      time: e.time,
      text: `${e.name.padEnd(17)} ${e.source.replace(/\..*$/, '').padEnd(9)} ${describeEvent(e, t0)}`,
    })),
    ...marks.map((m) => ({ time: m.time, text: `${'·'.padEnd(17)} ${''.padEnd(9)} ${m.text}` })),
  ].sort((a, b) => a.time - b.time);
  for (const row of rows) lines.push(`   ${seconds(row.time - t0).padStart(9)}  ${row.text}`);
  for (const note of outcome.notes) lines.push(`   note: ${note}`);
  const counts =
    outcome.rolledBackEvents === undefined
      ? ''
      : `; RolledBack events ${outcome.rolledBackEvents}, router rollbacks ${outcome.routerRollbacks}`;
  const recovery = outcome.recovery
    ? `; recovery ${(outcome.recovery.ms / 1000).toFixed(2)} s`
    : '';
  lines.push(
    `   end: ${outcome.reached ?? 'none'} (expected ${outcome.expected}), GET /releases/:id → ${outcome.projectedState ?? '?'}${counts}${recovery} — ${outcome.ok ? 'OK' : 'FAILED'}`,
  );
  for (const problem of outcome.problems) lines.push(`   problem: ${problem}`);
  return lines;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The spike runs' recovery times and their median (plus the crash runs', reported apart). */
export function recoverySummary(outcomes: readonly ScenarioOutcome[]): {
  lines: string[];
  medianMs: number;
  timedMs: number[];
} {
  const timed = outcomes.filter((o) => o.timed && o.recovery);
  const timedMs = timed.map((o) => o.recovery?.ms as number);
  const lines = ['Recovery: first bad sample (firstBadSampleAt) → RolledBack (rolledBackAt)'];
  for (const o of outcomes.filter((x) => x.recovery)) {
    const r = o.recovery as NonNullable<ScenarioOutcome['recovery']>;
    const truth =
      r.spikeBeganAt === undefined
        ? ''
        : `; from the simulator's true spike start ${((r.rolledBackAt - r.spikeBeganAt) / 1000).toFixed(2)} s`;
    const late =
      r.publishedAt - r.rolledBackAt > 1_000
        ? `; RolledBack event published after ${((r.publishedAt - r.firstBadSampleAt) / 1000).toFixed(2)} s`
        : '';
    lines.push(
      `   ${o.scenario.padEnd(50)} ${(r.ms / 1000).toFixed(2)} s${truth}${late}${o.timed ? '' : '  (not in the median)'}`,
    );
  }
  const medianMs = median(timedMs);
  lines.push(`   median of the ${timedMs.length} spike runs: ${(medianMs / 1000).toFixed(2)} s`);
  return { lines, medianMs, timedMs };
}
