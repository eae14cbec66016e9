import { run, type CliContext } from '@troupe/cli';
import { HandlerTimeoutError, PermanentError, headerString } from '@troupe/kit';
import {
  FailureRouter,
  envelopeFor,
  envelopeHeaders,
  nextOffset,
  readDeliveryHistory,
  type ConsumedRecord,
  type KafkaAdmin,
  type RecordProducer,
} from '@troupe/kit/internal';
import { createTopics, testKafka, uniqueName } from '@troupe/testkit';

/**
 * `troupe dlq list / redrive` against the real broker, on dead letters written by kit's own
 * FailureRouter (so the headers are exactly what services write).
 */

async function troupe(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS },
    cwd: process.cwd(),
  };
  const code = await run(args, context);
  return { code, out, err };
}

interface Received {
  partition: number;
  message: ConsumedRecord;
}

const reader = testKafka('troupe-cli-dlq-itest-read');

/** Every record of `topic` up to its current end. */
async function readAll(topic: string, admin: KafkaAdmin): Promise<Received[]> {
  const offsets = await admin.topicOffsets(topic);
  const expected = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  if (expected === 0) return [];
  const consumer = reader.consumer({ groupId: uniqueName('dlq-itest-read'), maxWaitTimeMs: 200 });
  const received: Received[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${received.length} of ${expected} records of ${topic}`)),
        20_000,
      );
      consumer
        .run({
          topics: [topic],
          fromBeginning: true,
          partitionConcurrency: 1,
          onBatch: async ({ partition, records }) => {
            for (const message of records) received.push({ partition, message });
            // Moves on without committing: the group is thrown away.
            const last = records.at(-1);
            if (last) consumer.seek(topic, partition, nextOffset(last.offset));
            if (received.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
          onCrash: (error) => reject(error),
        })
        .catch(reject);
    });
  } finally {
    await consumer.stop();
  }
  return received;
}

const header = (m: ConsumedRecord, name: string) => headerString(m.headers, name);

describe('troupe dlq list / redrive', () => {
  const kafka = testKafka('troupe-cli-dlq-itest');
  const admin = kafka.admin();
  let producer: RecordProducer;
  const topic = uniqueName('cli-dlq-orders');
  const dlq = `${topic}.dlq`;
  const other = `${topic}.elsewhere`;
  /** Originals by key, as first published. */
  const originals = new Map<string, Received>();

  beforeAll(async () => {
    await createTopics([
      { topic, partitions: 3 },
      { topic: dlq, partitions: 2 },
      { topic: other, partitions: 1 },
    ]);
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();

    // Six events as a service publishes them, each failing in its own way.
    const kinds = [
      ['troupe.test.Placed', new PermanentError('amount: expected a positive number, found -3')],
      ['troupe.test.Placed', new PermanentError('amount: expected a positive number, found 0')],
      ['troupe.test.Shipped', new HandlerTimeoutError(5000, 'troupe.test.Shipped')],
      ['troupe.test.Shipped', new HandlerTimeoutError(5000, 'troupe.test.Shipped')],
      ['troupe.test.Shipped', new PermanentError('carrier: unknown carrier "zz"')],
      ['troupe.test.Shipped', new PermanentError('carrier: unknown carrier "yy"')],
    ] as const;
    await producer.send([
      {
        topic,
        records: kinds.map(([type], i) => {
          const envelope = envelopeFor(
            { type, payload: null, key: `order-${i}`, topic, correlationId: `flow-${i}` },
            'orders',
          );
          return {
            key: `order-${i}`,
            value: Buffer.from([0, 0, 0, 0, 1, i]),
            headers: envelopeHeaders(envelope),
          };
        }),
      },
    ]);
    for (const received of await readAll(topic, admin))
      originals.set(received.message.key!.toString(), received);

    const router = new FailureRouter({
      service: 'shipping',
      topicDelaysMs: [],
      sender: {
        sendRaw: (to, records) => producer.send([{ topic: to, records }]),
      },
    });
    for (const [i, [, error]] of kinds.entries()) {
      const { partition, message } = originals.get(`order-${i}`)!;
      const history = readDeliveryHistory(message.headers, {
        topic,
        partition,
        offset: message.offset,
      });
      await router.route(
        { key: message.key, value: message.value, headers: message.headers, history },
        error,
        3,
      );
    }
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics([topic, dlq, other]).catch(() => undefined);
    await admin.deleteGroups([`troupe-dlq-redrive-${dlq}`]).catch(() => undefined);
    await admin.disconnect();
  });

  /** Records on the main topic that a redrive put there. */
  async function redriven(): Promise<Received[]> {
    return (await readAll(topic, admin)).filter(
      (r) => header(r.message, 'troupe-redriven-from') !== undefined,
    );
  }

  it('lists the dead letters: offset, key, type, error, service, attempts, last failure', async () => {
    const listed = await troupe(['dlq', 'list', dlq]);
    expect(listed.err).toEqual([]);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(
      /^OFFSET +KEY +TYPE +ERROR +SERVICE +ATTEMPTS +LAST FAILURE +REDRIVEN$/,
    );
    expect(listed.out).toHaveLength(8);
    expect(listed.out[7]).toBe(`6 records shown of 6 in ${dlq}`);
    const order0 = listed.out.find((line) => / order-0 /.test(line))!;
    expect(order0).toMatch(
      /^[01]:\d+ +order-0 +troupe\.test\.Placed +PERMANENT: amount: expected a positive number, found -3 +shipping +3 +\d{4}-\d\d-\d\dT[\d:.]+Z$/,
    );
    const order2 = listed.out.find((line) => / order-2 /.test(line))!;
    expect(order2).toMatch(/HANDLER_TIMEOUT: handler for troupe\.test\.Shipped did not finish/);

    const limited = await troupe(['dlq', 'list', dlq, '--limit', '2']);
    expect(limited.out).toHaveLength(4);
    expect(limited.out[3]).toBe(`2 records shown of 6 in ${dlq} (raise --limit to see more)`);

    const json = await troupe(['dlq', 'list', dlq, '--json', '--filter-error', 'HANDLER_TIMEOUT']);
    expect(json.out.map((line) => JSON.parse(line)).map((row) => [row.key, row.redriven])).toEqual(
      expect.arrayContaining([
        ['order-2', false],
        ['order-3', false],
      ]),
    );
    expect(json.out).toHaveLength(2);
  });

  it('redrives each record once, by filter, keeping key, value and CloudEvents headers', async () => {
    const dryRun = await troupe(['dlq', 'redrive', dlq, '--dry-run']);
    expect(dryRun.code).toBe(0);
    expect(dryRun.out.filter((line) => line.startsWith('would redrive '))).toHaveLength(6);
    expect(dryRun.out.at(-1)).toBe(
      `dry run: would redrive 6 records from ${dlq} to ${topic}; nothing produced or committed`,
    );
    expect(await redriven()).toEqual([]);
    const group = `troupe-dlq-redrive-${dlq}`;
    const committed = await admin.committedOffsets(group, [dlq]);
    expect(committed.every((p) => p.offset === '-1')).toBe(true);

    const timeouts = await troupe(['dlq', 'redrive', dlq, '--filter-error', 'HANDLER_TIMEOUT']);
    expect(timeouts.err).toEqual([]);
    expect(timeouts.out.at(-1)).toBe(
      `redrove 2 records from ${dlq} to ${topic}; 4 did not match the filters; progress committed in consumer group ${group}`,
    );
    expect((await redriven()).map((r) => r.message.key!.toString()).sort()).toEqual([
      'order-2',
      'order-3',
    ]);

    const placed = await troupe(['dlq', 'redrive', dlq, '--filter-type', 'troupe.test.Placed']);
    expect(placed.out.at(-1)).toMatch(/^redrove 2 records from .*; 2 did not match the filters/);
    const rest = await troupe(['dlq', 'redrive', dlq]);
    expect(rest.out.filter((line) => line.startsWith('redriven '))).toHaveLength(2);
    expect(rest.out.at(-1)).toMatch(/^redrove 2 records from /);

    const again = await troupe(['dlq', 'redrive', dlq]);
    expect(again).toEqual({
      code: 0,
      err: [],
      out: [
        `nothing to redrive: every record in ${dlq} was redriven before (progress in consumer group ${group}; --from-beginning to redrive again)`,
      ],
    });

    // Exactly one copy of each, where live events with its key go, intact but for the dlq headers.
    const copies = await redriven();
    expect(copies.map((r) => r.message.key!.toString()).sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `order-${i}`),
    );
    const deadLetters = await readAll(dlq, admin);
    for (const copy of copies) {
      const key = copy.message.key!.toString();
      const original = originals.get(key)!;
      expect(copy.partition).toBe(original.partition);
      expect(copy.message.value).toEqual(original.message.value);
      for (const name of [
        'ce_id',
        'ce_type',
        'ce_source',
        'ce_time',
        'ce_correlationid',
        'content-type',
      ])
        expect(header(copy.message, name)).toBe(header(original.message, name));
      const names = Object.keys(copy.message.headers!);
      expect(
        names.filter((n) => n.startsWith('troupe-dlq-') || n.startsWith('troupe-retry-')),
      ).toEqual([]);
      const from = deadLetters.find((d) => d.message.key!.toString() === key)!;
      expect(header(copy.message, 'troupe-redriven-from')).toBe(
        `${dlq}:${from.partition}:${from.message.offset}`,
      );
    }

    const listed = await troupe(['dlq', 'list', dlq]);
    expect(listed.out.slice(1, 7).every((line) => line.endsWith('  yes'))).toBe(true);
  });

  it('--from-beginning --to --limit republishes the chosen number of records elsewhere', async () => {
    const result = await troupe([
      'dlq',
      'redrive',
      dlq,
      '--from-beginning',
      '--to',
      other,
      '--limit',
      '1',
    ]);
    expect(result.err).toEqual([]);
    expect(result.out).toHaveLength(2);
    expect(result.out[0]).toMatch(
      new RegExp(`^redriven ${dlq} \\d:\\d+ → ${other} \\(key order-\\d, troupe\\.test\\.\\w+\\)$`),
    );
    expect(await readAll(other, admin)).toHaveLength(1);
  });

  // Reading past a trailing transaction marker is in read-range.test.ts: the port has no
  // transactional producer to write one here.
  it('thousands of records over many batches: a filtered then a full redrive move each exactly once', async () => {
    const bulk = uniqueName('cli-dlq-bulk');
    const bulkDlq = `${bulk}.dlq`;
    await createTopics([
      { topic: bulk, partitions: 3 },
      { topic: bulkDlq, partitions: 3 },
    ]);
    try {
      const total = 3000;
      for (let from = 0; from < total; from += 1000) {
        await producer.send([
          {
            topic: bulkDlq,
            records: Array.from({ length: 1000 }, (_, j) => ({
              key: `k-${from + j}`,
              value: Buffer.alloc(1500, j), // over 1 MB per partition: several fetches each
              headers: {
                ce_id: `e-${from + j}`,
                ce_type: (from + j) % 3 === 0 ? 'troupe.test.A' : 'troupe.test.B',
                'troupe-dlq-original-topic': bulk,
                'troupe-dlq-error-code': 'PERMANENT',
              },
            })),
          },
        ]);
      }

      const filtered = await troupe(['dlq', 'redrive', bulkDlq, '--filter-type', 'troupe.test.A']);
      expect(filtered.err).toEqual([]);
      expect(filtered.out.at(-1)).toMatch(
        /^redrove 1000 records from .*; 2000 did not match the filters;/,
      );
      const rest = await troupe(['dlq', 'redrive', bulkDlq]);
      expect(rest.err).toEqual([]);
      expect(rest.out.at(-1)).toMatch(/^redrove 2000 records from /);
      expect((await troupe(['dlq', 'redrive', bulkDlq])).out[0]).toMatch(/^nothing to redrive/);

      const copies = await readAll(bulk, admin);
      const keys = copies.map((r) => r.message.key!.toString());
      expect(keys).toHaveLength(total);
      expect(new Set(keys).size).toBe(total);
    } finally {
      await admin.deleteTopics([bulk, bulkDlq]).catch(() => undefined);
      await admin.deleteGroups([`troupe-dlq-redrive-${bulkDlq}`]).catch(() => undefined);
    }
    // 3–5 s on two cores (about 0.5 s more on Kafka 4.4 than on 3.9); far more when the machine is busy.
  }, 30_000);

  it('an empty dead-letter topic: list and redrive return at once', async () => {
    const empty = `${uniqueName('cli-dlq-empty')}.dlq`;
    await createTopics([{ topic: empty, partitions: 2 }]);
    try {
      const started = Date.now();
      // The whole result, so that a failure shows what the command said on stderr.
      expect(await troupe(['dlq', 'list', empty])).toEqual({
        code: 0,
        out: [`0 records shown of 0 in ${empty}`],
        err: [],
      });
      expect(await troupe(['dlq', 'redrive', empty])).toEqual({
        code: 0,
        out: [`nothing to redrive: ${empty} is empty`],
        err: [],
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await admin.deleteTopics([empty]).catch(() => undefined);
    }
  });

  it('a topic that is not a dead-letter topic is refused in one line, suggesting <topic>.dlq', async () => {
    for (const command of ['list', 'redrive']) {
      const result = await troupe(['dlq', command, topic]);
      expect(result).toEqual({
        code: 1,
        out: [],
        err: [
          `troupe: dlq ${command}: ${topic} is not a dead-letter topic (their names end in .dlq); did you mean ${dlq}?`,
        ],
      });
    }
    const retry = await troupe(['dlq', 'redrive', `${topic}.retry.1`, '--dry-run']);
    expect(retry.err).toEqual([
      `troupe: dlq redrive: ${topic}.retry.1 is not a dead-letter topic (their names end in .dlq); did you mean ${dlq}?`,
    ]);
    // Nothing was redriven from the main topic.
    expect(await redriven()).toHaveLength(6);
  });

  it('an unknown topic is one line', async () => {
    const missing = `${topic}.nope.dlq`;
    const result = await troupe(['dlq', 'redrive', missing]);
    expect(result).toEqual({
      code: 1,
      out: [],
      err: [
        `troupe: unknown topic "${missing}": expected it on the cluster at ${process.env.TROUPE_KAFKA_BROKERS} (see troupe topics list)`,
      ],
    });
    // and asking did not create it (the broker auto-creates topics on metadata requests)
    expect(await admin.listTopics()).not.toContain(missing);
  });
});
