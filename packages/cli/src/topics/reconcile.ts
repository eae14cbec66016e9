import { CliFailure, type CliContext } from '../context';
import type { KafkaSession } from '../kafka/client';
import { applyChanges } from './apply';
import { readClusterState } from './cluster-state';
import { desiredTopics, planTopics, type TopicPlan } from './plan';
import { appliedLine, matching, planText } from './plan-text';
import type { TopicsFile } from './topics-file';

export interface ReconcileOptions {
  withDeadLetter: boolean;
  prune: boolean;
  prefix?: string;
  timeoutMs: number;
}

interface Planned {
  file: string;
  plan: TopicPlan;
}

async function planFor(
  session: KafkaSession,
  topicsFile: TopicsFile,
  options: ReconcileOptions,
): Promise<Planned> {
  const desired = desiredTopics(topicsFile.topics, options.withDeadLetter);
  const cluster = await readClusterState(
    session.admin,
    desired.map((topic) => topic.name),
  );
  const plan = planTopics(desired, cluster, { prune: options.prune, prefix: options.prefix });
  return { file: topicsFile.shownAs, plan };
}

function problemsFailure(plan: TopicPlan): CliFailure {
  return new CliFailure(plan.problems.map((p) => `${p.topic}: ${p.message}`).join('\n'));
}

/** `troupe topics plan`: prints what apply would do; fails (exit 1) when something cannot be done. */
export async function printPlan(
  session: KafkaSession,
  topicsFile: TopicsFile,
  options: ReconcileOptions,
  context: CliContext,
): Promise<void> {
  const { file: shownAs, plan } = await planFor(session, topicsFile, options);
  for (const line of planText(plan, shownAs, options.prune)) context.out(line);
  if (plan.problems.length > 0) throw problemsFailure(plan);
}

/**
 * `troupe topics apply`: refuses to start when any declared topic cannot be reconciled, else
 * makes every change and says so; with nothing to change it says that instead.
 */
export async function applyPlan(
  session: KafkaSession,
  topicsFile: TopicsFile,
  options: ReconcileOptions,
  context: CliContext,
): Promise<void> {
  const { file: shownAs, plan } = await planFor(session, topicsFile, options);
  if (plan.problems.length > 0) throw problemsFailure(plan);
  if (plan.changes.length === 0) {
    context.out(`nothing to change: ${matching(plan.unchanged.length, shownAs)}`);
    return;
  }
  await applyChanges(session.admin, plan.changes, {
    timeoutMs: options.timeoutMs,
    onApplied: (change) => context.out(appliedLine(change)),
  });
  const n = plan.changes.length;
  context.out(
    `applied ${n} change${n === 1 ? '' : 's'} from ${shownAs} (${plan.unchanged.length} unchanged)`,
  );
}
