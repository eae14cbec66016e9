import type { ConfigChange, DesiredTopic, TopicChange, TopicPlan } from './plan';

/** One line per change: `+ create …`, `~ partitions …`, `~ config …`, `- delete …`. */
export function planLine(change: TopicChange): string {
  switch (change.kind) {
    case 'create':
      return `+ create ${change.topic.name}: ${topicShape(change.topic)}`;
    case 'partitions':
      return `~ partitions ${change.topic}: ${change.from} → ${change.to}`;
    case 'config':
      return `~ config ${change.topic}: ${configChangesText(change.changes)}`;
    case 'delete':
      return `- delete ${change.topic}`;
  }
}

/** The same change, once made. */
export function appliedLine(change: TopicChange): string {
  switch (change.kind) {
    case 'create':
      return `created ${change.topic.name}: ${topicShape(change.topic)}`;
    case 'partitions':
      return `added partitions to ${change.topic}: ${change.from} → ${change.to}`;
    case 'config':
      return `altered config of ${change.topic}: ${configChangesText(change.changes)}`;
    case 'delete':
      return `deleted ${change.topic}`;
  }
}

/** `2 to create, 1 to add partitions to, …`, naming only the kinds present. */
export function changeCounts(changes: TopicChange[]): string {
  const count = (kind: TopicChange['kind']) => changes.filter((c) => c.kind === kind).length;
  return [
    [count('create'), 'to create'],
    [count('partitions'), 'to add partitions'],
    [count('config'), 'to reconfigure'],
    [count('delete'), 'to delete'],
  ]
    .filter(([n]) => n !== 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(', ');
}

/**
 * The plan as printed by `troupe topics plan`: changes, then a summary. Problems are not
 * listed here: the command fails with one error line per problem.
 */
export function planText(plan: TopicPlan, file: string, prune: boolean): string[] {
  const lines = plan.changes.map(planLine);
  if (plan.changes.length === 0 && plan.problems.length === 0) {
    lines.push(`no changes: ${matching(plan.unchanged.length, file)}`);
  } else if (plan.changes.length > 0) {
    lines.push(`plan: ${changeCounts(plan.changes)} (${plan.unchanged.length} unchanged)`);
  }
  if (!prune && plan.undeclared.length > 0) {
    lines.push(
      `${topicCount(plan.undeclared.length)} on the cluster ${plan.undeclared.length === 1 ? 'is' : 'are'} not in ${file} (kept; --prune would delete them)`,
    );
  }
  return lines;
}

/** `3 topics on the cluster match <file>`. */
export function matching(n: number, file: string): string {
  return `${topicCount(n)} on the cluster ${n === 1 ? 'matches' : 'match'} ${file}`;
}

export function topicCount(n: number): string {
  return `${n} topic${n === 1 ? '' : 's'}`;
}

function topicShape(topic: DesiredTopic): string {
  const parts = [`${topic.partitions} partition${topic.partitions === 1 ? '' : 's'}`];
  if (topic.replicationFactor !== undefined)
    parts.push(`replication factor ${topic.replicationFactor}`);
  parts.push(...Object.entries(topic.config).map(([name, value]) => `${name}=${value}`));
  if (topic.deadLetterOf !== undefined) parts.push(`dead-letter topic of ${topic.deadLetterOf}`);
  return parts.join(', ');
}

function configChangesText(changes: ConfigChange[]): string {
  return changes
    .map((c) => `${c.name} ${c.from === undefined ? '(unset)' : c.from} → ${c.to}`)
    .join(', ');
}
