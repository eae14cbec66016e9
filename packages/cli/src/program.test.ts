import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './program';
import type { CliContext } from './context';

const REPO = path.resolve(__dirname, '../../..');

function capture(env: Record<string, string | undefined> = {}, cwd = REPO) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    cwd,
  };
  return { context, out, err };
}

const tempDirs: string[] = [];
afterAll(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempContracts(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'troupe-cli-'));
  tempDirs.push(dir);
  await cp(path.join(REPO, 'schemas'), path.join(dir, 'schemas'), { recursive: true });
  return dir;
}

describe('troupe CLI', () => {
  it('fails with one line naming the variable when no registry is configured', async () => {
    const { context, err } = capture();
    expect(await run(['schemas', 'check'], context)).toBe(1);
    expect(err).toEqual([
      'troupe: TROUPE_SCHEMA_REGISTRY_URL: expected the schema registry URL (or pass --registry <url>)',
    ]);
  });

  it('rejects an unknown subject strategy by its flag', async () => {
    const { context, err } = capture({ TROUPE_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' });
    expect(await run(['schemas', 'register', '--subject-strategy', 'topic'], context)).toBe(1);
    expect(err).toEqual([
      'troupe: --subject-strategy: expected topic-name | record-name | topic-record-name, found "topic"',
    ]);
  });

  it('reports a broken schema file with file, line, path and problem, in one line', async () => {
    const dir = await tempContracts();
    const file = path.join(dir, 'schemas', 'releases', 'Promoted.avsc');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('"type": "string"', '"type": "strng"'),
    );
    const { context, err } = capture({}, dir);
    expect(await run(['schemas', 'generate', '--check'], context)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^troupe: schemas\/releases\/Promoted\.avsc:\d+:\d+ at \$\.fields\[0\]\.type: unknown type "strng"/,
    );
  });

  it('generate writes the contracts file and --check then passes; a stale file fails the check', async () => {
    const dir = await tempContracts();
    const out = path.join(dir, 'generated.ts');
    const first = capture({}, dir);
    expect(await run(['schemas', 'generate', '--out', 'generated.ts'], first.context)).toBe(0);
    // Counted from the copy: a service scaffolded into schemas/ adds its own types and topic.
    const topicsFile = JSON.parse(
      await readFile(path.join(dir, 'schemas', 'topics.json'), 'utf8'),
    ) as {
      topics: Record<string, { eventTypes: string[] }>;
    };
    const types = Object.values(topicsFile.topics).flatMap((t) => t.eventTypes).length;
    const topics = Object.keys(topicsFile.topics).length;
    expect(first.out).toEqual([`wrote generated.ts (${types} event types, ${topics} topics)`]);
    expect(
      await run(
        ['schemas', 'generate', '--out', 'generated.ts', '--check'],
        capture({}, dir).context,
      ),
    ).toBe(0);

    await writeFile(out, (await readFile(out, 'utf8')).replace('  canaryShare: number;\n', ''));
    const stale = capture({}, dir);
    expect(
      await run(['schemas', 'generate', '--out', 'generated.ts', '--check'], stale.context),
    ).toBe(1);
    expect(stale.err).toEqual([
      expect.stringMatching(
        /^troupe: generated\.ts is stale \(line \d+: expected "canaryShare: number;", found .*\): run troupe schemas generate$/,
      ),
    ]);
  });

  it('prints a stack trace only with --verbose', async () => {
    const { context, err } = capture();
    expect(await run(['schemas', 'check', '--verbose'], context)).toBe(1);
    expect(err[0]).toMatch(/^troupe: TROUPE_SCHEMA_REGISTRY_URL/);
    expect(err.slice(1).join('\n')).toMatch(/at .*context\.ts/);
  });

  it("unknown commands exit non-zero with commander's message", async () => {
    const { context, err } = capture();
    expect(await run(['schemas', 'nope'], context)).toBe(1);
    expect(err[0]).toMatch(/unknown command 'nope'/);
  });
});
