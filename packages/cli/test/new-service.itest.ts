import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { run, type CliContext } from '@troupe/cli';
import { removeScratchDirs } from '@troupe/testkit';
import { copyOfRepository } from './support/repository-copy';

/**
 * `troupe new service` on a copy of the repository, as a new user runs it on a fresh clone: the
 * generated service type-checks, passes prettier and eslint, and its own unit test passes, with
 * nothing edited by hand. Needs no stack; it is an integration test for the processes it runs.
 */
const LONG = `a${'b'.repeat(39)}c`; // the longest name accepted: lines prettier must wrap
const exec = promisify(execFile);

afterAll(removeScratchDirs);

async function troupe(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd };
  return { code: await run(args, context), out, err };
}

/** Runs a command in the copy; fails with its output unless it exits 0. Returns what it printed. */
async function inCopy(dir: string, command: string, args: string[]): Promise<string> {
  const started = Date.now();
  let output: { stdout: string; stderr: string };
  try {
    output = await exec(command, args, {
      cwd: dir,
      timeout: 180_000,
      maxBuffer: 16 << 20,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`${command} ${args.join(' ')}: ${seconds.toFixed(1)} s`);
  return `${output.stdout}\n${output.stderr}`;
}

test('a new service type-checks, is formatted and linted, and passes its own test', async () => {
  const dir = await copyOfRepository();
  expect(await realpath(path.join(dir, 'node_modules', '@troupe', 'contracts'))).toBe(
    await realpath(path.join(dir, 'packages', 'contracts')),
  );

  const hello = await troupe(['new', 'service', 'hello', '--dir', dir], os.tmpdir());
  expect(hello.err).toEqual([]);
  expect(hello.code).toBe(0);
  expect(hello.out).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^created .*services\/hello\/src\/hello\.test\.ts$/),
      expect.stringMatching(/^updated .*schemas\/topics\.json \(topic hello\.events\)$/),
      expect.stringMatching(
        /^updated .*troupe\.config\.ts \(services services\/hello\/src\/catalog\.ts\)$/,
      ),
      expect.stringMatching(/^wrote .*packages\/contracts\/src\/generated\.ts \(11 event types/),
      expect.stringMatching(/^ {2}npx troupe publish troupe\.hello\.HelloRequested --json '\{/),
    ]),
  );
  expect((await troupe(['new', 'service', LONG, '--dir', dir], os.tmpdir())).code).toBe(0);

  const services = ['hello', LONG].map((name) => `services/${name}`);
  await inCopy(dir, 'npx', [
    'prettier',
    '--check',
    ...services,
    'schemas/topics.json',
    'tsconfig.json',
    'troupe.config.ts',
  ]);
  // .avsc is no prettier language (--check skips it): checked as the JSON it is.
  const schemas = ['hello', LONG].map((name) => `schemas/${name}/*.avsc`);
  await inCopy(dir, 'sh', ['-c', `npx prettier --check --parser json ${schemas.join(' ')}`]);
  await inCopy(dir, 'npx', ['eslint', '--max-warnings', '0', 'services/hello', `services/${LONG}`]);
  // The generated contracts are current: what CI's `schemas generate --check` asks.
  await inCopy(dir, 'npx', ['tsx', 'packages/cli/src/cli.ts', 'schemas', 'generate', '--check']);
  // tsc -b through the services' own tsconfig.json: builds only what they reference (kit,
  // contracts, testkit and devstack), into the copy's dist/ folders.
  await inCopy(dir, 'npx', ['tsc', '-b', 'services/hello', `services/${LONG}`]);
  const tests = await inCopy(dir, 'npx', ['jest', '--ci', 'services/hello/', `services/${LONG}/`]);
  expect(tests).toMatch(/Tests: +2 passed, 2 total/);
}, 600_000);
