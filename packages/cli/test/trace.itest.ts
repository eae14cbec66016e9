import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { run, type CliContext } from '@troupe/cli';
import { contractsCatalog } from '@troupe/contracts';
import {
  AvroCodec,
  HandlerTimeoutError,
  PermanentError,
  Publisher,
  type Envelope,
} from '@troupe/kit';
import { FailureRouter, readDeliveryHistory } from '@troupe/kit/internal';
import {
  createTopics,
  readRecords,
  removeScratchDirs,
  scratchDir,
  testKafka,
  uniqueName,
} from '@troupe/testkit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `troupe trace` against the real broker, on events published the way services publish them
 * (kit's Publisher, Avro through the registry, CloudEvents headers).
 */

async function troupe(args: string[], cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {
      TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS,
      TROUPE_SCHEMA_REGISTRY_URL: process.env.TROUPE_SCHEMA_REGISTRY_URL,
    },
    cwd,
  };
  const code = await run(args, context);
  return { code, out, err };
}

afterAll(removeScratchDirs);

describe('troupe trace', () => {
  const kafka = testKafka('troupe-cli-trace-itest');
  const releases = uniqueName('cli-trace-releases');
  const alerts = uniqueName('cli-trace-alerts');
  const publisher = new Publisher({
    kafka,
    source: 'releases',
    codec: new AvroCodec({
      registry: process.env.TROUPE_SCHEMA_REGISTRY_URL!,
      catalog: contractsCatalog(),
    }),
  });
  let requested: Envelope;
  let passed: Envelope;
  let raised: Envelope;
  let otherFlow: Envelope;
  let cut: Date;

  const releaseId = 'rel-42';
  const at = new Date('2024-05-01T12:00:00.000Z');
  const requestedEvent = (id: string) => ({
    type: 'troupe.releases.ReleaseRequested',
    topic: releases,
    key: id,
    payload: {
      releaseId: id,
      service: 'checkout',
      version: '2.4.0',
      canaryShare: 0.1,
      requestedBy: 'ci',
      requestedAt: at,
    },
  });

  beforeAll(async () => {
    await createTopics([
      { topic: releases, partitions: 3 },
      { topic: alerts, partitions: 2 },
    ]);
    requested = await publisher.publish(requestedEvent(releaseId));
    otherFlow = await publisher.publish(requestedEvent('rel-other'));
    // A moment between the first event and the rest, for --since.
    await sleep(50);
    cut = new Date();
    await sleep(50);
    passed = await publisher.publish({
      type: 'troupe.releases.TestsPassed',
      topic: releases,
      key: releaseId,
      correlationId: requested.correlationId,
      causationId: requested.id,
      payload: {
        releaseId,
        service: 'checkout',
        version: '2.4.0',
        passedTests: 312,
        durationMs: 8400,
        finishedAt: at,
      },
    });
    raised = await publisher.publish({
      type: 'troupe.alerts.AlertRaised',
      topic: alerts,
      key: releaseId,
      correlationId: requested.correlationId,
      causationId: passed.id,
      payload: {
        alertId: 'alert-1',
        releaseId,
        service: 'checkout',
        severity: 'INFO',
        summary: 'tests passed',
        details: {},
        raisedAt: at,
      },
    });
  });

  afterAll(async () => {
    await publisher.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics([releases, alerts]).catch(() => undefined);
    await admin.disconnect();
  });

  it('prints the flow in causal order, each effect indented under its cause, other flows left out', async () => {
    const result = await troupe([
      'trace',
      requested.correlationId,
      '--topics',
      `${releases},${alerts}`,
      '--since',
      '10m',
    ]);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(
      new RegExp(`^trace ${requested.correlationId}: 3 events on ${alerts}, ${releases} since `),
    );
    const [header, ...rows] = result.out.slice(1);
    expect(header).toMatch(/^TIME +TOPIC +EVENT +ID +CAUSED BY +SOURCE$/);
    expect(rows).toHaveLength(3);
    const cells = rows.map((row) => row.split(/ {2,}/));
    expect(cells[0]).toEqual([
      '+0ms',
      releases,
      'troupe.releases.ReleaseRequested',
      requested.id,
      '-',
      'releases',
    ]);
    expect(cells[1]).toEqual([
      expect.stringMatching(/^\+\d+ms$|^\+\d+\.\d{3}s$/),
      releases,
      '└─ troupe.releases.TestsPassed',
      passed.id,
      requested.id,
      'releases',
    ]);
    expect(cells[2]).toEqual([
      expect.stringMatching(/^\+/),
      alerts,
      '└─ troupe.alerts.AlertRaised', // its indentation merges with the padding: checked below
      raised.id,
      passed.id,
      'releases',
    ]);
    // The EVENT column starts at the same place on every line: the tree is drawn by indentation.
    const eventColumn = header!.indexOf('EVENT');
    expect(rows.map((row) => row.indexOf('troupe.'))).toEqual([
      eventColumn,
      eventColumn + 3,
      eventColumn + 6,
    ]);
    expect(result.out.join('\n')).not.toContain(otherFlow.id);
  });

  it('--json prints one object per event; --payload decodes them through the registry', async () => {
    const result = await troupe([
      'trace',
      requested.correlationId,
      '--topics',
      `${alerts},${releases}`,
      '--json',
      '--payload',
    ]);
    expect(result.err).toEqual([]);
    const events = result.out.map((line) => JSON.parse(line));
    expect(events.map((e) => [e.id, e.depth, e.causationId])).toEqual([
      [requested.id, 0, undefined],
      [passed.id, 1, requested.id],
      [raised.id, 2, passed.id],
    ]);
    expect(events[1].payload).toEqual({
      releaseId,
      service: 'checkout',
      version: '2.4.0',
      passedTests: 312,
      durationMs: 8400,
      finishedAt: '2024-05-01T12:00:00.000Z',
    });
    expect(events[2]).toMatchObject({
      topic: alerts,
      key: releaseId,
      type: 'troupe.alerts.AlertRaised',
    });
  });

  it('reads every topic of topics.json by default, and only from --since on', async () => {
    const dir = scratchDir('troupe-trace-itest');
    const missing = uniqueName('cli-trace-never-created');
    await writeFile(
      path.join(dir, 'topics.json'),
      JSON.stringify({
        topics: Object.fromEntries(
          [releases, alerts, missing].map((name) => [name, { partitions: 1, eventTypes: ['x.Y'] }]),
        ),
      }),
    );
    const all = await troupe(['trace', requested.correlationId], dir);
    expect(all.code).toBe(0);
    expect(all.err).toEqual([`note: skipping ${missing} (in topics.json, not on the cluster)`]);
    expect(all.out).toHaveLength(5);

    // Starting after the first event keeps only the later ones; TestsPassed, whose cause is
    // no longer in view, becomes a root marked as such.
    const later = await troupe(
      ['trace', requested.correlationId, '--since', cut.toISOString()],
      dir,
    );
    expect(later.code).toBe(0);
    const rows = later.out.slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      new RegExp(
        `^\\+0ms +${releases} +troupe\\.releases\\.TestsPassed +${passed.id} +${requested.id} \\(not found\\) +releases$`,
      ),
    );
    expect(rows[1]).toContain('└─ troupe.alerts.AlertRaised');
  });

  it('a flow it cannot find, or a topic that does not exist, is one line', async () => {
    const none = await troupe(['trace', 'no-such-flow', '--topics', releases, '--since', '1h']);
    expect(none.code).toBe(1);
    expect(none.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^troupe: no events with correlation id or event id "no-such-flow" on ${releases} since \\d{4}-`,
        ),
      ),
    ]);
    const unknown = await troupe(['trace', 'x', '--topics', `${releases},${releases}-typo`]);
    expect(unknown.err).toEqual([
      `troupe: unknown topic "${releases}-typo": expected it on the cluster at ${process.env.TROUPE_KAFKA_BROKERS} (see troupe topics list)`,
    ]);
  });
});

describe('troupe trace through retry and dead-letter topics', () => {
  const kafka = testKafka('troupe-cli-trace-dlq-itest');
  const topic = uniqueName('cli-trace-failing');
  const retryTopic = `${topic}.retry.1`;
  const dlq = `${topic}.dlq`;
  const publisher = new Publisher({
    kafka,
    source: 'releases',
    codec: new AvroCodec({
      registry: process.env.TROUPE_SCHEMA_REGISTRY_URL!,
      catalog: contractsCatalog(),
    }),
  });
  let event: Envelope;

  beforeAll(async () => {
    await createTopics([
      { topic, partitions: 2 },
      { topic: retryTopic, partitions: 1 },
      { topic: dlq, partitions: 1 },
    ]);
    event = await publisher.publish({
      type: 'troupe.releases.ReleaseRequested',
      topic,
      key: 'rel-9',
      payload: {
        releaseId: 'rel-9',
        service: 'checkout',
        version: '2.5.0',
        canaryShare: 0.1,
        requestedBy: 'ci',
        requestedAt: new Date('2024-05-01T12:00:00.000Z'),
      },
    });
    // What a failing verifier does: a timeout sends it to retry 1, then a permanent error to the DLQ.
    const router = new FailureRouter({
      service: 'verifier',
      topicDelaysMs: [1000],
      sender: { sendRaw: (to, records) => publisher.sendRaw(to, records) },
    });
    for (const [from, error, attempts] of [
      [topic, new HandlerTimeoutError(5000, 'troupe.releases.ReleaseRequested'), 3],
      [retryTopic, new PermanentError('version: 2.5.0 was withdrawn'), 4],
    ] as const) {
      const [received] = await readRecords(from, 1, 20_000);
      const { partition, message } = received!;
      const history = readDeliveryHistory(message.headers, {
        topic: from,
        partition,
        offset: message.offset,
      });
      await router.route(
        { key: message.key, value: message.value, headers: message.headers, history },
        error,
        attempts,
      );
    }
  });

  afterAll(async () => {
    await publisher.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics([topic, retryTopic, dlq]).catch(() => undefined);
    await admin.disconnect();
  });

  it('reads the retry and dead-letter topics of the topics it reads, and marks each hop with its reason', async () => {
    const result = await troupe(['trace', event.correlationId, '--topics', topic]);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(
      new RegExp(
        `^trace ${event.correlationId}: 3 events on ${topic}, ${dlq}, ${retryTopic} since `,
      ),
    );
    const [header, ...lines] = result.out.slice(1);
    expect(header).toMatch(/^TIME +TOPIC +EVENT +ID +CAUSED BY +SOURCE$/);
    expect(lines).toHaveLength(5);
    expect(lines[0]!.split(/ {2,}/)).toEqual([
      '+0ms',
      topic,
      'troupe.releases.ReleaseRequested',
      event.id,
      '-',
      'releases',
    ]);
    expect(lines[1]!.split(/ {2,}/)).toEqual([
      expect.stringMatching(/^\+/),
      retryTopic,
      '└─ troupe.releases.ReleaseRequested (retry 1)',
      event.id,
      '-',
      'releases',
    ]);
    expect(lines[2]).toMatch(
      /^ {5}retry 1 by verifier after 3 attempts, due \d{4}-[\d-]+T[\d:.]+Z: HandlerTimeoutError: handler for troupe\.releases\.ReleaseRequested did not finish/,
    );
    expect(lines[3]!.split(/ {2,}/).slice(1, 3)).toEqual([
      dlq,
      '└─ troupe.releases.ReleaseRequested (dead letter)',
    ]);
    expect(lines[4]).toBe(
      '     dead-lettered by verifier after 4 attempts: PERMANENT: version: 2.5.0 was withdrawn',
    );

    const json = await troupe(['trace', event.correlationId, '--topics', topic, '--json']);
    const events = json.out.map((line) => JSON.parse(line));
    expect(events.map((e) => [e.topic, e.depth, e.hop?.kind])).toEqual([
      [topic, 0, undefined],
      [retryTopic, 1, 'retry'],
      [dlq, 1, 'dead-letter'],
    ]);
    expect(events[2].hop).toEqual({
      kind: 'dead-letter',
      service: 'verifier',
      attempts: 4,
      errorCode: 'PERMANENT',
      errorClass: 'PermanentError',
      errorMessage: 'version: 2.5.0 was withdrawn',
      originalTopic: topic,
    });
  });

  it('does the same for the topics of topics.json; --no-failure-topics reads only the topics named', async () => {
    const dir = scratchDir('troupe-trace-dlq-itest');
    await writeFile(
      path.join(dir, 'topics.json'),
      JSON.stringify({ topics: { [topic]: { partitions: 2, eventTypes: ['x.Y'] } } }),
    );
    const all = await troupe(['trace', event.correlationId], dir);
    expect(all.err).toEqual([]);
    expect(all.out[0]).toMatch(new RegExp(`: 3 events on ${topic}, ${dlq}, ${retryTopic} since `));

    const only = await troupe(['trace', event.correlationId, '--no-failure-topics'], dir);
    expect(only.out[0]).toMatch(new RegExp(`: 1 event on ${topic} since `));
    expect(only.out).toHaveLength(3);
  });
});
