import { cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { run } from '../program';
import type { CliContext } from '../context';
import { appendToTopLevel } from './json-insert';
import { serviceNames } from './names';

/** `troupe new service`: its validation, and that a refusal writes nothing. */
const REPO = path.resolve(__dirname, '../../../..');
const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A project root with the repository's contracts and root files, and its node_modules linked. */
async function projectRoot(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'troupe-new-'));
  made.push(root);
  await cp(path.join(REPO, 'schemas'), path.join(root, 'schemas'), { recursive: true });
  for (const file of ['tsconfig.json', '.prettierrc.json', 'package.json'])
    await cp(path.join(REPO, file), path.join(root, file));
  for (const pkg of ['kit', 'contracts', 'testkit'])
    await cp(
      path.join(REPO, 'packages', pkg, 'package.json'),
      path.join(root, 'packages', pkg, 'package.json'),
    );
  await mkdir(path.join(root, 'packages', 'contracts', 'src'));
  await mkdir(path.join(root, 'services'));
  await symlink(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

/** Every file under the root (node_modules aside) with its content. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !file.includes('node_modules'))
      files[path.relative(root, file)] = await readFile(file, 'utf8');
  }
  return files;
}

async function troupe(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd };
  return { code: await run(args, context), out, err };
}

describe('service names', () => {
  it.each([
    ['Hello', /is not a lowercase word/],
    ['h', /is not a lowercase word/],
    ['1hello', /is not a lowercase word/],
    ['hello_world', /is not a lowercase word/],
    ['a'.repeat(42), /is not a lowercase word/],
    ['hello-', /hyphens go between words/],
    ['order--status', /hyphens go between words/],
    ['main', /src\/main\.ts, the entry point/],
  ])('refuses %j', (name, problem) => {
    expect(() => serviceNames(name)).toThrow(problem);
  });

  it('derives the domain, namespace, topic and event types', () => {
    expect(serviceNames('order-status')).toMatchObject({
      packageName: '@troupe-services/order-status',
      domain: 'orderStatus',
      namespace: 'troupe.orderStatus',
      topic: 'order-status.events',
      identifier: 'orderStatus',
      requested: { short: 'OrderStatusRequested', type: 'troupe.orderStatus.OrderStatusRequested' },
      answered: { short: 'OrderStatusAnswered', type: 'troupe.orderStatus.OrderStatusAnswered' },
    });
    expect(serviceNames('a'.repeat(41)).name).toHaveLength(41);
  });

  it.each(['kafka', 'class', 'test', 'service'])(
    'names the definition %sService where %s is taken',
    (name) => expect(serviceNames(name).identifier).toBe(`${name}Service`),
  );
});

describe('troupe new service refuses, writing nothing', () => {
  it.each<[string, (root: string) => Promise<unknown>, string[], RegExp]>([
    ['a name that is not a word', async () => undefined, ['Hello'], /is not a lowercase word/],
    [
      'an existing service folder',
      (root) => mkdir(path.join(root, 'services', 'hello')),
      ['hello'],
      /^troupe: services\/hello already exists$/,
    ],
    [
      'an existing contract domain',
      (root) => mkdir(path.join(root, 'schemas', 'hello')),
      ['hello'],
      /^troupe: schemas\/hello already exists/,
    ],
    [
      'an existing topic',
      async (root) => {
        const file = path.join(root, 'schemas', 'topics.json');
        await writeFile(
          file,
          (await readFile(file, 'utf8')).replace('"alerts.events"', '"hello.events"'),
        );
      },
      ['hello'],
      /^troupe: topic hello\.events is already in schemas\/topics\.json$/,
    ],
    [
      'a TypeScript name another domain has',
      async () => undefined,
      ['release'],
      /would rename the TypeScript type ReleaseRequested of troupe\.releases\.ReleaseRequested/,
    ],
    [
      'a folder without schemas/topics.json',
      (root) => cp(path.join(root, 'schemas', 'topics.json'), path.join(root, 'moved.json')),
      ['hello', '--dir', 'services'],
      /^troupe: no schemas\/topics\.json in .*services: run in the project root or pass --dir <root>$/,
    ],
  ])('%s', async (_what, prepare, args, problem) => {
    const root = await projectRoot();
    await prepare(root);
    const before = await snapshot(root);
    const result = await troupe(['new', 'service', ...args], root);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([expect.stringMatching(problem)]);
    expect(result.err[0]).toMatch(/^troupe: /);
    expect(await snapshot(root)).toEqual(before);
  });
});

describe('appendToTopLevel', () => {
  const add = (text: string) =>
    appendToTopLevel(text, 'list', '"x"', (json) => ({
      ...json,
      list: [...(json.list as []), 'x'],
    }));

  it('keeps the layout of a one-line, an empty and a multi-line container', () => {
    expect(add('{ "list": ["a"] }\n')).toBe('{ "list": ["a", "x"] }\n');
    expect(add('{\n  "list": []\n}\n')).toBe('{\n  "list": [\n    "x"\n  ]\n}\n');
    expect(add('{\n  "a": { "list": [1] },\n  "list": [\n    "a"\n  ]\n}\n')).toBe(
      '{\n  "a": { "list": [1] },\n  "list": [\n    "a",\n    "x"\n  ]\n}\n',
    );
  });

  it('refuses what is not plain JSON or has no such container', () => {
    expect(() => add('{ // comment\n "list": [] }')).toThrow(/is not plain JSON/);
    expect(() => add('{ "other": [] }')).toThrow(/has no "list" object or array/);
    expect(() => add('{ "list": 3 }')).toThrow(/has no "list" object or array/);
  });
});
