import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SchemaRegistryClient } from '@troupe/kit';
import { run, type CliContext } from '@troupe/cli';
import { removeScratchDirs, scratchDir } from '@troupe/testkit';

const REPO = path.resolve(__dirname, '../../..');

function registryUrl(): string {
  const url = process.env.TROUPE_SCHEMA_REGISTRY_URL;
  if (!url)
    throw new Error('TROUPE_SCHEMA_REGISTRY_URL is not set: run through the integration project');
  return url;
}

/** A copy of schemas/ whose topics carry a unique prefix, so its subjects are new to the registry. */
async function contractsWithUniqueTopics(): Promise<{ dir: string; prefix: string }> {
  const dir = scratchDir('troupe-cli-itest');
  await cp(path.join(REPO, 'schemas'), path.join(dir, 'schemas'), { recursive: true });
  const prefix = `cli-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.`;
  const topicsFile = path.join(dir, 'schemas', 'topics.json');
  const topics = JSON.parse(await readFile(topicsFile, 'utf8')) as {
    topics: Record<string, unknown>;
  };
  topics.topics = Object.fromEntries(
    Object.entries(topics.topics).map(([name, spec]) => [prefix + name, spec]),
  );
  await writeFile(topicsFile, JSON.stringify(topics, null, 2));
  return { dir, prefix };
}

async function troupe(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { TROUPE_SCHEMA_REGISTRY_URL: registryUrl(), ...env },
    cwd,
  };
  const code = await run(args, context);
  return { code, out, err };
}

afterAll(removeScratchDirs);

/** Sets a subject's own compatibility level (the CLI never changes levels, so the client cannot). */
async function setCompatibility(subject: string, level: string): Promise<void> {
  const response = await fetch(`${registryUrl()}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
  });
  if (!response.ok) throw new Error(`PUT /config/${subject}: HTTP ${response.status}`);
}

describe('troupe schemas register / check against the registry', () => {
  const registry = new SchemaRegistryClient(registryUrl());

  it('registers every schema under <topic>-<record> for each topic carrying it, idempotently', async () => {
    const { dir, prefix } = await contractsWithUniqueTopics();
    const first = await troupe(['schemas', 'register'], dir);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out).toHaveLength(10);
    expect(first.out[9]).toBe(`9 subjects registered at ${registry.url}`);

    const subject = `${prefix}releases.events-troupe.releases.ReleaseRequested`;
    const latest = await registry.latest(subject);
    expect(latest).toMatchObject({ subject, version: 1 });
    expect(first.out).toContain(`registered ${subject}: id ${latest!.id} version 1`);
    expect(
      await registry.latest(`${prefix}telemetry.samples-troupe.telemetry.RequestSamples`),
    ).toBeDefined();

    const again = await troupe(['schemas', 'register', 'schemas'], dir);
    expect(again.code).toBe(0);
    expect(again.out).toEqual(first.out);
  });

  it('check passes for compatible schemas and names the version each is checked against', async () => {
    const { dir, prefix } = await contractsWithUniqueTopics();
    const before = await troupe(['schemas', 'check'], dir);
    expect(before.code).toBe(0);
    expect(before.out).toContain(
      `new ${prefix}alerts.events-troupe.alerts.AlertRaised (not registered yet)`,
    );

    expect((await troupe(['schemas', 'register'], dir)).code).toBe(0);
    // A compatible change: a new field with a default.
    const file = path.join(dir, 'schemas', 'alerts', 'AlertRaised.avsc');
    const schema = JSON.parse(await readFile(file, 'utf8')) as { fields: unknown[] };
    schema.fields.push({ name: 'runbook', type: ['null', 'string'], default: null });
    await writeFile(file, JSON.stringify(schema, null, 2));
    const after = await troupe(['schemas', 'check'], dir);
    expect(after.err).toEqual([]);
    expect(after.code).toBe(0);
    expect(after.out).toContain(
      `ok  ${prefix}alerts.events-troupe.alerts.AlertRaised (compatible with version 1)`,
    );
  });

  it('check fails with one line per incompatible subject: subject, version, level and why', async () => {
    const { dir, prefix } = await contractsWithUniqueTopics();
    expect((await troupe(['schemas', 'register'], dir)).code).toBe(0);
    // Incompatible: a new field without a default cannot be filled when reading old events.
    const file = path.join(dir, 'schemas', 'releases', 'Promoted.avsc');
    const schema = JSON.parse(await readFile(file, 'utf8')) as { fields: unknown[] };
    schema.fields.push({ name: 'approvedBy', type: 'string' });
    await writeFile(file, JSON.stringify(schema, null, 2));

    const result = await troupe(['schemas', 'check'], dir);
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    const subject = `${prefix}releases.events-troupe.releases.Promoted`;
    const { id } = (await registry.latest(subject))!;
    expect(result.err[0]).toMatch(
      new RegExp(
        `^troupe: ${subject.replace(/\./g, '\\.')}: schemas/releases/Promoted\\.avsc is incompatible with version 1 \\(id ${id}\\) ` +
          'under BACKWARD: .*approvedBy',
      ),
    );
    // Every other subject still reported as fine on stdout.
    expect(result.out.filter((line) => line.startsWith('ok  '))).toHaveLength(8);
  });

  it('check applies a transitive level to every version, and names the one that conflicts', async () => {
    const { dir, prefix } = await contractsWithUniqueTopics();
    expect((await troupe(['schemas', 'register'], dir)).code).toBe(0);
    const subject = `${prefix}releases.events-troupe.releases.Promoted`;
    await setCompatibility(subject, 'BACKWARD_TRANSITIVE');
    // v2 adds a field with a default: compatible with v1.
    const file = path.join(dir, 'schemas', 'releases', 'Promoted.avsc');
    const schema = JSON.parse(await readFile(file, 'utf8')) as { fields: object[] };
    schema.fields.push({ name: 'approvedBy', type: 'string', default: 'nobody' });
    await writeFile(file, JSON.stringify(schema, null, 2));
    expect((await troupe(['schemas', 'register'], dir)).code).toBe(0);
    const v1 = (await registry.version(subject, 1))!;
    expect((await registry.latest(subject))!.version).toBe(2);

    // Without the default the schema still reads v2 data, but not v1 data: only a check of every
    // version catches it, as registration would with a 409.
    schema.fields[schema.fields.length - 1] = { name: 'approvedBy', type: 'string' };
    await writeFile(file, JSON.stringify(schema, null, 2));
    const candidate = JSON.stringify(schema);
    expect(await registry.testCompatibilityWithVersion(subject, 'latest', candidate)).toEqual({
      compatible: true,
      messages: [],
    });

    const result = await troupe(['schemas', 'check'], dir);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^troupe: ${subject.replace(/\./g, '\\.')}: schemas/releases/Promoted\\.avsc is incompatible with version 1 \\(id ${v1.id}\\) ` +
            'under BACKWARD_TRANSITIVE: .*approvedBy',
        ),
      ),
    ]);
    await expect(registry.register(subject, candidate)).rejects.toMatchObject({ status: 409 });
  });

  it('topic-name subjects refuse a topic that carries several event types', async () => {
    const { dir } = await contractsWithUniqueTopics();
    const result = await troupe(['schemas', 'register', '--subject-strategy', 'topic-name'], dir);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      expect.stringMatching(
        /^troupe: subject ".*releases\.events-value" would hold both troupe\.releases\.\w+ and troupe\.releases\.\w+/,
      ),
    ]);
  });

  it('an unreachable registry is one line naming the URL and the reason', async () => {
    const { dir } = await contractsWithUniqueTopics();
    const result = await troupe(
      ['schemas', 'check', '--registry', 'http://127.0.0.1:1', '--timeout', '2000'],
      dir,
    );
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      expect.stringMatching(
        /^troupe: schema registry GET http:\/\/127\.0\.0\.1:1\/subjects\/.+: \w+/,
      ),
    ]);
  });
});
