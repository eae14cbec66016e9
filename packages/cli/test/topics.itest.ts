import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { run, type CliContext } from '@troupe/cli';
import type { KafkaAdmin } from '@troupe/kit/internal';
import {
  createTopics,
  removeScratchDirs,
  scratchDir,
  testKafka,
  uniqueName,
} from '@troupe/testkit';

/** `troupe topics` against the real broker, each test with its own topic-name prefix and topics.json. */

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function troupe(args: string[], cwd: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS },
    cwd,
  };
  const code = await run(args, context);
  return { code, out, err };
}

type Topics = Record<string, { partitions: number; config?: Record<string, string> }>;

/** A temporary folder holding topics.json with these topics. */
async function topicsDir(topics: Topics): Promise<string> {
  const dir = scratchDir('troupe-topics-itest');
  await writeTopics(dir, topics);
  return dir;
}

async function writeTopics(dir: string, topics: Topics): Promise<void> {
  const file = {
    topics: Object.fromEntries(
      Object.entries(topics).map(([name, spec]) => [
        name,
        { ...spec, eventTypes: ['troupe.test.Event'] },
      ]),
    ),
  };
  await writeFile(path.join(dir, 'topics.json'), JSON.stringify(file, null, 2));
}

afterAll(removeScratchDirs);

describe('troupe topics plan / apply / list', () => {
  let admin: KafkaAdmin;
  const created: string[] = [];

  beforeAll(async () => {
    admin = testKafka('troupe-cli-topics-itest').admin();
    await admin.connect();
  });

  afterAll(async () => {
    const existing = new Set(await admin.listTopics());
    const mine = created.filter((topic) => existing.has(topic));
    if (mine.length > 0) await admin.deleteTopics(mine).catch(() => undefined);
    await admin.disconnect();
  });

  async function partitionsOf(topic: string): Promise<number> {
    const [described] = await admin.describeTopics([topic]);
    return described!.partitions.length;
  }

  async function overridesOf(topic: string): Promise<Record<string, string>> {
    const configs = await admin.topicConfigs(topic);
    return Object.fromEntries(configs.filter((e) => e.setOnTopic).map((e) => [e.name, e.value]));
  }

  it('plans, applies, is idempotent, adds partitions and alters configs without resetting others', async () => {
    const prefix = `${uniqueName('cli-topics')}.`;
    const orders = `${prefix}orders`;
    const payments = `${prefix}payments`;
    created.push(orders, payments);
    const dir = await topicsDir({
      [orders]: {
        partitions: 3,
        config: { 'cleanup.policy': 'delete', 'retention.ms': '3600000' },
      },
      [payments]: { partitions: 1 },
    });

    const plan = await troupe(['topics', 'plan', '--prefix', prefix], dir);
    expect(plan).toEqual({
      code: 0,
      err: [],
      out: [
        `+ create ${orders}: 3 partitions, cleanup.policy=delete, retention.ms=3600000`,
        `+ create ${payments}: 1 partition`,
        'plan: 2 to create (0 unchanged)',
      ],
    });
    // plan changes nothing
    expect((await admin.listTopics()).filter((t) => t.startsWith(prefix))).toEqual([]);

    const apply = await troupe(['topics', 'apply', 'topics.json'], dir);
    expect(apply.err).toEqual([]);
    expect(apply.code).toBe(0);
    expect(apply.out).toEqual([
      `created ${orders}: 3 partitions, cleanup.policy=delete, retention.ms=3600000`,
      `created ${payments}: 1 partition`,
      'applied 2 changes from topics.json (0 unchanged)',
    ]);
    expect(await partitionsOf(orders)).toBe(3);
    expect(await overridesOf(orders)).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': '3600000',
    });

    const again = await troupe(['topics', 'apply', '--prefix', prefix], dir);
    expect(again).toEqual({
      code: 0,
      err: [],
      out: ['nothing to change: 2 topics on the cluster match topics.json'],
    });
    expect((await troupe(['topics', 'plan', '--prefix', prefix], dir)).out).toEqual([
      'no changes: 2 topics on the cluster match topics.json',
    ]);

    // More partitions and a new retention; cleanup.policy is no longer named but must survive
    // (a legacy AlterConfigs request, as kafkajs sends, would otherwise reset it).
    await writeTopics(dir, {
      [orders]: { partitions: 6, config: { 'retention.ms': '7200000' } },
      [payments]: { partitions: 1, config: { 'max.message.bytes': '2000000' } },
    });
    const grow = await troupe(['topics', 'plan', '--prefix', prefix], dir);
    expect(grow.out).toEqual([
      `~ partitions ${orders}: 3 → 6`,
      `~ config ${orders}: retention.ms 3600000 → 7200000`,
      `~ config ${payments}: max.message.bytes 1048588 → 2000000`,
      'plan: 1 to add partitions, 2 to reconfigure (0 unchanged)',
    ]);
    const grown = await troupe(['topics', 'apply', '--prefix', prefix], dir);
    expect(grown.code).toBe(0);
    expect(grown.out).toEqual([
      `added partitions to ${orders}: 3 → 6`,
      `altered config of ${orders}: retention.ms 3600000 → 7200000`,
      `altered config of ${payments}: max.message.bytes 1048588 → 2000000`,
      'applied 3 changes from topics.json (0 unchanged)',
    ]);
    expect(await partitionsOf(orders)).toBe(6);
    expect(await overridesOf(orders)).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': '7200000',
    });
    expect((await troupe(['topics', 'apply', '--prefix', prefix], dir)).out).toEqual([
      'nothing to change: 2 topics on the cluster match topics.json',
    ]);

    const listed = await troupe(['topics', 'list', '--prefix', prefix], dir);
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(listed.out).toEqual([
      expect.stringMatching(/^TOPIC +PARTITIONS +REPLICAS +IN-SYNC +MIN-IN-SYNC +CONFIG$/),
      expect.stringMatching(
        new RegExp(
          `^${escape(orders)} +6 +1 +1 +1 +cleanup\\.policy=delete retention\\.ms=7200000$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^${escape(payments)} +1 +1 +1 +1 +max\\.message\\.bytes=2000000$`),
      ),
    ]);
  });

  it('refuses to decrease partitions: one error line naming the topic, and nothing else is applied', async () => {
    const prefix = `${uniqueName('cli-topics-shrink')}.`;
    const events = `${prefix}events`;
    const later = `${prefix}later`;
    created.push(events, later);
    const dir = await topicsDir({ [events]: { partitions: 4 } });
    expect((await troupe(['topics', 'apply'], dir)).code).toBe(0);

    await writeTopics(dir, { [events]: { partitions: 2 }, [later]: { partitions: 1 } });
    const plan = await troupe(['topics', 'plan', '--prefix', prefix], dir);
    expect(plan.code).toBe(1);
    expect(plan.err).toEqual([
      `troupe: ${events}: partitions cannot be decreased (the cluster has 4, topics.json asks for 2)`,
    ]);
    expect(plan.out).toEqual([`+ create ${later}: 1 partition`, 'plan: 1 to create (0 unchanged)']);

    const apply = await troupe(['topics', 'apply', '--prefix', prefix], dir);
    expect(apply).toEqual({
      code: 1,
      out: [],
      err: [
        `troupe: ${events}: partitions cannot be decreased (the cluster has 4, topics.json asks for 2)`,
      ],
    });
    expect(await partitionsOf(events)).toBe(4);
    expect(await admin.listTopics()).not.toContain(later);
  });

  it('--with-dead-letter creates <topic>.dlq beside each topic; --prune deletes only undeclared topics in scope', async () => {
    const prefix = `${uniqueName('cli-topics-dlq')}.`;
    const main = `${prefix}main`;
    const stray = `${prefix}stray`;
    const retry = `${main}.retry.1`;
    created.push(main, `${main}.dlq`, stray, retry);
    await createTopics([
      { topic: stray, partitions: 1 },
      { topic: retry, partitions: 1 },
    ]);
    const dir = await topicsDir({ [main]: { partitions: 2 } });

    const apply = await troupe(['topics', 'apply', '--with-dead-letter', '--prefix', prefix], dir);
    expect(apply.out).toEqual([
      `created ${main}: 2 partitions`,
      `created ${main}.dlq: 2 partitions, dead-letter topic of ${main}`,
      'applied 2 changes from topics.json (0 unchanged)',
    ]);
    expect(await partitionsOf(`${main}.dlq`)).toBe(2);

    const plan = await troupe(['topics', 'plan', '--with-dead-letter', '--prefix', prefix], dir);
    expect(plan.out).toEqual([
      'no changes: 2 topics on the cluster match topics.json',
      '1 topic on the cluster is not in topics.json (kept; --prune would delete them)',
    ]);

    const prune = await troupe(
      ['topics', 'apply', '--with-dead-letter', '--prune', '--prefix', prefix],
      dir,
    );
    expect(prune.out).toEqual([
      `deleted ${stray}`,
      'applied 1 change from topics.json (2 unchanged)',
    ]);
    const left = (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
    expect(left).toEqual([main, `${main}.dlq`, retry].sort());
  });

  it('an unreachable broker or a broken topics file fails with one line', async () => {
    const dir = await topicsDir({ [uniqueName('cli-topics-never')]: { partitions: 1 } });
    const started = Date.now();
    const unreachable = await troupe(['topics', 'plan', '--brokers', '127.0.0.1:1'], dir);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toEqual([
      'troupe: cannot reach Kafka at 127.0.0.1:1 (Connection error: connect ECONNREFUSED 127.0.0.1:1); check --brokers or TROUPE_KAFKA_BROKERS',
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);

    await writeFile(path.join(dir, 'topics.json'), '{ "topics": { "a": { "partitions": 0 } } }');
    const broken = await troupe(['topics', 'apply'], dir);
    expect(broken.err).toEqual([
      'troupe: topics.json:1:36 at $.topics.a.partitions: expected a positive integer, found 0',
    ]);
  });
});
