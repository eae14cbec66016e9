import type { ServiceNames } from './names';

/** The new topic as topics.json holds it: 3 partitions, keyed by the id, both event types. */
export function topicSpec(names: ServiceNames) {
  return {
    partitions: 3,
    key: names.idField,
    config: { 'cleanup.policy': 'delete', 'retention.ms': '604800000' },
    eventTypes: [names.requested.type, names.answered.type],
  };
}

/**
 * The topic's member of topics.json's "topics" object, laid out as prettier lays out JSON at
 * the members' depth (4 spaces in): the config object on one line as in the other topics, the
 * event types on one line when it fits in 100 columns, else one per line.
 */
export function topicMember(names: ServiceNames): string {
  const spec = topicSpec(names);
  const types = spec.eventTypes.map((type) => JSON.stringify(type));
  const oneLine = `  "eventTypes": [${types.join(', ')}]`;
  const eventTypes =
    4 + oneLine.length <= 100
      ? oneLine
      : `  "eventTypes": [\n${types.map((type) => `    ${type}`).join(',\n')}\n  ]`;
  return [
    `${JSON.stringify(names.topic)}: {`,
    `  "partitions": ${spec.partitions},`,
    `  "key": ${JSON.stringify(spec.key)},`,
    `  "config": { "cleanup.policy": "delete", "retention.ms": "604800000" },`,
    eventTypes,
    '}',
  ].join('\n');
}
