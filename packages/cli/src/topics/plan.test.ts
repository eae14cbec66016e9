import type { TopicSpec } from '@troupe/kit/internal';
import { desiredTopics, planTopics, type ClusterTopic } from './plan';
import { planText } from './plan-text';

const spec = (
  name: string,
  partitions: number,
  config: Record<string, string> = {},
): TopicSpec => ({
  name,
  partitions,
  config,
  eventTypes: ['test.Event'],
});

const onCluster = (
  name: string,
  partitions: number,
  config: Record<string, string> = {},
  replicationFactor = 1,
): ClusterTopic => ({
  name,
  partitions,
  replicationFactor,
  inSyncReplicas: replicationFactor,
  config: { 'cleanup.policy': 'delete', 'retention.ms': '604800000', ...config },
  overrides: config,
});

const cluster = (topics: ClusterTopic[], others: string[] = []) => ({
  names: [...topics.map((t) => t.name), ...others],
  topics,
});

describe('desiredTopics', () => {
  it('adds <topic>.dlq with the same partitions and broker-default configs when asked', () => {
    const desired = desiredTopics([spec('orders', 6, { 'retention.ms': '1000' })], true);
    expect(desired).toEqual([
      { name: 'orders', partitions: 6, config: { 'retention.ms': '1000' } },
      { name: 'orders.dlq', partitions: 6, config: {}, deadLetterOf: 'orders' },
    ]);
    expect(desiredTopics([spec('orders', 6)], false).map((t) => t.name)).toEqual(['orders']);
  });

  it('keeps a dead-letter topic declared in the file as declared', () => {
    const desired = desiredTopics([spec('orders', 6), spec('orders.dlq', 2)], true);
    expect(desired).toEqual([
      { name: 'orders', partitions: 6, config: {} },
      { name: 'orders.dlq', partitions: 2, config: {} },
    ]);
  });
});

describe('planTopics', () => {
  const noPrune = { prune: false };

  it('creates what is missing, grows partitions, alters differing configs, in that order', () => {
    const plan = planTopics(
      desiredTopics(
        [
          spec('payments', 6, { 'retention.ms': '86400000' }),
          spec('orders', 3),
          spec('new', 2, { 'cleanup.policy': 'compact' }),
        ],
        false,
      ),
      cluster([onCluster('payments', 3), onCluster('orders', 3)]),
      noPrune,
    );
    expect(plan.changes).toEqual([
      {
        kind: 'create',
        topic: { name: 'new', partitions: 2, config: { 'cleanup.policy': 'compact' } },
      },
      { kind: 'partitions', topic: 'payments', from: 3, to: 6 },
      {
        kind: 'config',
        topic: 'payments',
        changes: [{ name: 'retention.ms', from: '604800000', to: '86400000' }],
      },
    ]);
    expect(plan.unchanged).toEqual(['orders']);
    expect(plan.problems).toEqual([]);
  });

  it('changes nothing when the cluster matches, comparing list configs regardless of order', () => {
    const plan = planTopics(
      desiredTopics([spec('a', 3, { 'cleanup.policy': 'delete, compact' })], false),
      cluster([onCluster('a', 3, { 'cleanup.policy': 'compact,delete' })]),
      noPrune,
    );
    expect(plan).toEqual({ changes: [], problems: [], unchanged: ['a'], undeclared: [] });
  });

  it('leaves configs the file does not name alone', () => {
    const plan = planTopics(
      desiredTopics([spec('a', 3)], false),
      cluster([onCluster('a', 3, { 'max.message.bytes': '2000000' })]),
      noPrune,
    );
    expect(plan.changes).toEqual([]);
  });

  it('reports a config the broker does not know as unset', () => {
    const plan = planTopics(
      desiredTopics([spec('a', 3, { 'made.up': 'x' })], false),
      cluster([onCluster('a', 3)]),
      noPrune,
    );
    expect(plan.changes).toEqual([
      { kind: 'config', topic: 'a', changes: [{ name: 'made.up', to: 'x' }] },
    ]);
  });

  it('refuses to decrease partitions or change the replication factor, naming the topic', () => {
    const desired = desiredTopics([spec('a', 3), { ...spec('b', 2), replicationFactor: 3 }], false);
    const plan = planTopics(desired, cluster([onCluster('a', 6), onCluster('b', 2)]), noPrune);
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toEqual([
      {
        topic: 'a',
        message: 'partitions cannot be decreased (the cluster has 6, topics.json asks for 3)',
      },
      {
        topic: 'b',
        message: expect.stringMatching(
          /^replication factor cannot be changed by troupe \(the cluster has 1, topics.json asks for 3\)/,
        ),
      },
    ]);
  });

  it('grows a dead-letter topic with its main topic but accepts one that has more partitions', () => {
    const desired = desiredTopics([spec('a', 4), spec('b', 2)], true);
    const plan = planTopics(
      desired,
      cluster([onCluster('a', 4), onCluster('a.dlq', 2), onCluster('b', 2), onCluster('b.dlq', 8)]),
      noPrune,
    );
    expect(plan.changes).toEqual([{ kind: 'partitions', topic: 'a.dlq', from: 2, to: 4 }]);
    expect(plan.problems).toEqual([]);
  });

  it('never deletes without prune; with it, deletes only undeclared, non-internal, non-failure topics', () => {
    const desired = desiredTopics([spec('orders', 1)], false);
    const state = cluster(
      [onCluster('orders', 1)],
      ['__consumer_offsets', '_schemas', 'orders.dlq', 'orders.retry.1', 'legacy', 'other.dlq'],
    );
    const kept = planTopics(desired, state, noPrune);
    expect(kept.changes).toEqual([]);
    expect(kept.undeclared).toEqual(['legacy', 'other.dlq']);
    const pruned = planTopics(desired, state, { prune: true });
    expect(pruned.changes).toEqual([
      { kind: 'delete', topic: 'legacy' },
      { kind: 'delete', topic: 'other.dlq' },
    ]);
  });

  it('with a prefix, manages only topics whose names start with it', () => {
    const desired = desiredTopics([spec('team-a.orders', 1), spec('team-b.orders', 1)], false);
    const plan = planTopics(desired, cluster([], ['team-a.old', 'team-b.old']), {
      prune: true,
      prefix: 'team-a.',
    });
    expect(plan.changes).toEqual([
      { kind: 'create', topic: { name: 'team-a.orders', partitions: 1, config: {} } },
      { kind: 'delete', topic: 'team-a.old' },
    ]);
  });
});

describe('planText', () => {
  it('prints one line per change and a summary', () => {
    const plan = planTopics(
      desiredTopics([spec('a', 6, { 'retention.ms': '1000' }), spec('b', 1)], true),
      cluster([onCluster('a', 3)], ['stale']),
      { prune: false },
    );
    expect(planText(plan, 'schemas/topics.json', false)).toEqual([
      '+ create b: 1 partition',
      '+ create a.dlq: 6 partitions, dead-letter topic of a',
      '+ create b.dlq: 1 partition, dead-letter topic of b',
      '~ partitions a: 3 → 6',
      '~ config a: retention.ms 604800000 → 1000',
      'plan: 3 to create, 1 to add partitions, 1 to reconfigure (0 unchanged)',
      '1 topic on the cluster is not in schemas/topics.json (kept; --prune would delete them)',
    ]);
  });

  it('says when nothing changes', () => {
    const plan = planTopics(desiredTopics([spec('a', 1)], false), cluster([onCluster('a', 1)]), {
      prune: true,
    });
    expect(planText(plan, 'topics.json', true)).toEqual([
      'no changes: 1 topic on the cluster matches topics.json',
    ]);
  });
});
