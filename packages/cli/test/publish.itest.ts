import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { run, type CliContext } from '@troupe/cli';
import { AvroCodec, createSchemaCatalog, headerString } from '@troupe/kit';
import {
  createTopics,
  readRecords,
  removeScratchDirs,
  scratchDir,
  uniqueName,
  withTestAdmin,
  type ReceivedMessage,
} from '@troupe/testkit';

/**
 * `troupe publish` against the real broker and registry: events checked against a contract of a
 * scratch project's schemas/, routed by its topics.json, sent by kit's Publisher, then read back
 * and decoded the way a service decodes them.
 */
const REPO = path.resolve(__dirname, '../../..');

async function troupe(args: string[], options: { cwd: string; stdin?: string }) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext & { stdin?: Readable } = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {
      TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS,
      TROUPE_SCHEMA_REGISTRY_URL: process.env.TROUPE_SCHEMA_REGISTRY_URL,
    },
    cwd: options.cwd,
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(options.stdin)]) }),
  };
  const code = await run(args, context);
  return { code, out, err };
}

/** The troupe command in its own process, as a user runs it, with `stdin` piped in. */
function troupeProcess(
  args: string[],
  cwd: string,
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    path.join(REPO, 'node_modules/.bin/tsx'),
    [path.join(REPO, 'packages/cli/src/cli.ts'), ...args],
    {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: path.join(REPO, 'tsconfig.test.json'),
        TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS,
        TROUPE_SCHEMA_REGISTRY_URL: process.env.TROUPE_SCHEMA_REGISTRY_URL,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`troupe ${args.join(' ')} still running after 40 s`));
    }, 40_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const EVENT = 'troupe.clitest.ParcelShipped';
const schema = {
  type: 'record',
  name: 'ParcelShipped',
  namespace: 'troupe.clitest',
  fields: [
    { name: 'parcelId', type: 'string' },
    { name: 'weightGrams', type: 'long' },
    { name: 'shippedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: ['null', 'string'], default: null },
    {
      name: 'carrier',
      type: { type: 'enum', name: 'Carrier', symbols: ['UPS', 'DHL'], default: 'UPS' },
    },
    { name: 'labels', type: { type: 'map', values: 'string' }, default: {} },
  ],
};
const parcel = (id: string) => ({
  parcelId: id,
  weightGrams: 1200,
  shippedAt: '2026-12-02T10:00:00Z',
  carrier: 'DHL',
  labels: { fragile: 'yes' },
});

const PUBLISHED =
  /^(?:line (\d+): )?published (\S+) to (\S+) \(key (\S+)\): event id (\S+), correlation id (\S+)$/;

describe('troupe publish', () => {
  const topic = uniqueName('cli-publish-parcels');
  const other = uniqueName('cli-publish-elsewhere');
  let project: string;
  const codec = new AvroCodec({
    registry: process.env.TROUPE_SCHEMA_REGISTRY_URL!,
    catalog: createSchemaCatalog([{ schema }]),
    autoRegister: false,
  });

  beforeAll(async () => {
    project = scratchDir('troupe-publish-itest');
    await mkdir(path.join(project, 'schemas', 'clitest'), { recursive: true });
    await writeFile(
      path.join(project, 'schemas', 'clitest', 'ParcelShipped.avsc'),
      JSON.stringify(schema),
    );
    await writeFile(
      path.join(project, 'schemas', 'topics.json'),
      JSON.stringify({
        topics: { [topic]: { partitions: 3, key: 'parcelId', eventTypes: [EVENT] } },
      }),
    );
    await createTopics([
      { topic, partitions: 3 },
      { topic: other, partitions: 2 },
    ]);
  });

  afterAll(async () => {
    await withTestAdmin((admin) => admin.deleteTopics([topic, other]).catch(() => undefined));
    await removeScratchDirs();
  });

  const records = async (count: number): Promise<ReceivedMessage[]> =>
    readRecords(topic, count, 20_000);
  const header = (r: ReceivedMessage, name: string) => headerString(r.message.headers, name);

  it('--json: validated, encoded through the registry, sent where topics.json routes it, with the CloudEvents headers services send', async () => {
    const result = await troupe(['publish', EVENT, '--json', JSON.stringify(parcel('p-1'))], {
      cwd: project,
    });
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(1);
    const [, , type, to, key, id, correlationId] = PUBLISHED.exec(result.out[0]!)!;
    expect([type, to, key, correlationId]).toEqual([EVENT, topic, 'p-1', id]);

    const [record] = await records(1);
    expect(record!.message.key!.toString()).toBe('p-1');
    expect(header(record!, 'ce_id')).toBe(id);
    expect(header(record!, 'ce_type')).toBe(EVENT);
    expect(header(record!, 'ce_source')).toBe('troupe-cli');
    expect(header(record!, 'ce_specversion')).toBe('1.0');
    expect(header(record!, 'ce_correlationid')).toBe(id);
    expect(header(record!, 'content-type')).toBe('application/vnd.apache.avro+confluent');
    expect(header(record!, 'traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const decoded = await codec.decode(
      topic,
      EVENT,
      record!.message.value,
      record!.message.headers,
    );
    expect(decoded.payload).toEqual({
      ...parcel('p-1'),
      shippedAt: new Date('2026-12-02T10:00:00Z'),
      note: null,
    });
  });

  it('--file, --topic, --key, --source, --correlation-id, --output json', async () => {
    const file = path.join(project, 'parcel.json');
    await writeFile(file, JSON.stringify({ ...parcel('p-2'), note: 'leave at the door' }, null, 2));
    const result = await troupe(
      [
        'publish',
        EVENT,
        '--file',
        'parcel.json',
        '--topic',
        other,
        '--key',
        'custom-key',
        '--source',
        'ops-console',
        '--correlation-id',
        'flow-77',
        '--output',
        'json',
      ],
      { cwd: project },
    );
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    const printed = result.out.map((line) => JSON.parse(line));
    expect(printed).toEqual([
      {
        id: expect.any(String),
        type: EVENT,
        source: 'ops-console',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        correlationId: 'flow-77',
        traceparent: expect.stringMatching(/^00-/),
        topic: other,
        key: 'custom-key',
      },
    ]);
    const [record] = await readRecords(other, 1, 20_000);
    expect(headerString(record!.message.headers, 'ce_id')).toBe(printed[0].id);
    expect(record!.message.key!.toString()).toBe('custom-key');
    expect(headerString(record!.message.headers, 'ce_source')).toBe('ops-console');
    expect(headerString(record!.message.headers, 'ce_correlationid')).toBe('flow-77');
    expect(headerString(record!.message.headers, 'traceparent')).toBe(printed[0].traceparent);
  });

  it('JSON lines on stdin: one event per line, in order; one bad line and nothing is sent', async () => {
    const offsetsBefore = await withTestAdmin((admin) => admin.topicOffsets(topic));
    const bad = [
      JSON.stringify(parcel('p-10')),
      JSON.stringify({ ...parcel('p-11'), weightGrams: 'heavy' }),
      JSON.stringify(parcel('p-12')),
    ].join('\n');
    const refused = await troupe(['publish', EVENT], { cwd: project, stdin: bad });
    expect(refused).toEqual({
      code: 1,
      out: [],
      err: [
        `troupe: line 2: ${EVENT}: invalid payload at weightGrams: expected an integer (long, up to ±9007199254740990), found string "heavy"`,
      ],
    });
    expect(await withTestAdmin((admin) => admin.topicOffsets(topic))).toEqual(offsetsBefore);

    const lines = ['p-20', 'p-21', 'p-22', 'p-23'].map((id) => JSON.stringify(parcel(id)));
    const result = await troupe(['publish', EVENT, '--correlation-id', 'batch-1'], {
      cwd: project,
      stdin: `${lines.join('\n')}\n`,
    });
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    const published = result.out.map((line) => PUBLISHED.exec(line)!);
    expect(published.map((m) => [m[1], m[4], m[6]])).toEqual([
      ['1', 'p-20', 'batch-1'],
      ['2', 'p-21', 'batch-1'],
      ['3', 'p-22', 'batch-1'],
      ['4', 'p-23', 'batch-1'],
    ]);
    // Each printed event id is a record on the topic, with the printed key.
    const all = await records(5);
    for (const m of published) {
      const found = all.find((r) => header(r, 'ce_id') === m[5])!;
      expect(found.message.key!.toString()).toBe(m[4]);
    }
  });

  it('a topic that does not exist is one line, and is not created', async () => {
    const missing = uniqueName('cli-publish-missing');
    const result = await troupe(
      ['publish', EVENT, '--topic', missing, '--key', 'k', '--json', JSON.stringify(parcel('p-3'))],
      { cwd: project },
    );
    expect(result).toEqual({
      code: 1,
      out: [],
      err: [
        `troupe: unknown topic "${missing}": expected it on the cluster at ${process.env.TROUPE_KAFKA_BROKERS} (see troupe topics list)`,
      ],
    });
    expect(await withTestAdmin((admin) => admin.listTopics())).not.toContain(missing);
  });

  it('as a process: JSON lines piped in are published; a bad payload exits 1 with one line', async () => {
    const ok = await troupeProcess(
      ['publish', EVENT],
      project,
      `${JSON.stringify(parcel('p-30'))}\n${JSON.stringify(parcel('p-31'))}\n`,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(
      ok.stdout
        .trimEnd()
        .split('\n')
        .map((line) => PUBLISHED.exec(line)?.[4]),
    ).toEqual(['p-30', 'p-31']);
    const bad = await troupeProcess(
      ['publish', EVENT],
      project,
      JSON.stringify({ ...parcel('p-32'), carrier: 'FEDEX' }),
    );
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr: `troupe: line 1: ${EVENT}: invalid payload at carrier: expected one of "UPS", "DHL", found string "FEDEX"\n`,
    });
  }, 60_000);
});
