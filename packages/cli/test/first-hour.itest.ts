import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { removeScratchDirs } from '@troupe/testkit';
import { copyOfRepository } from './support/repository-copy';

/**
 * README's "Writing a service" walk-through, as a new user runs it on a fresh clone, every step a
 * process started the way the README says: `npx troupe new service`, `npx troupe graph`,
 * `npx troupe topics apply`, `npx tsx services/<name>/src/main.ts`, `npx troupe publish`,
 * `npx troupe trace`. Nothing is
 * built and no file is edited by hand. (README's `npm install` after the scaffold only records the
 * new workspace in package-lock.json; the copy's node_modules links stand in for it.)
 */
const exec = promisify(execFile);
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await removeScratchDirs();
});

/** The copy's environment: the stack's TROUPE_* settings and nothing the test runner set up. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, value] of Object.entries(process.env))
    if (name.startsWith('TROUPE_') && !name.startsWith('TROUPE_TEST_')) env[name] = value;
  return env;
}

async function npx(dir: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec('npx', args, { cwd: dir, env: userEnvironment(), timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npx ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

test('scaffold, apply the topics, run, publish, and trace the reaction', async () => {
  const dir = await copyOfRepository('troupe-first-hour');

  const scaffolded = await npx(dir, ['troupe', 'new', 'service', 'hello']);
  expect(scaffolded.stderr).toBe('');
  expect(scaffolded.stdout).toContain('npx troupe topics apply');
  // The new service joined the system catalog: it is in the picture, with its two event types.
  const graph = (await npx(dir, ['troupe', 'graph'])).stdout;
  expect(graph).toContain('service_hello["hello"]');
  expect(graph).toMatch(
    /\("HelloRequested"\)[\s\S]*\("HelloAnswered"\)|\("HelloAnswered"\)[\s\S]*\("HelloRequested"\)/,
  );

  await npx(dir, ['troupe', 'topics', 'apply']);
  expect((await npx(dir, ['troupe', 'topics', 'list'])).stdout).toMatch(/^hello\.events\b/m);

  // Port 0: the ops server of a second service on this machine must not collide with 8080.
  // The tsx that `npx tsx` runs, started directly so that SIGTERM reaches the service (npx does
  // not relay it).
  const tsx = path.join(dir, 'node_modules', '.bin', 'tsx');
  const service = spawn(tsx, [path.join('services', 'hello', 'src', 'main.ts')], {
    cwd: dir,
    env: { ...userEnvironment(), TROUPE_HTTP_PORT: '0', TROUPE_HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(service);
  let logs = '';
  service.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  service.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  await until(
    () => (logs.includes('"msg":"service started"') ? true : undefined),
    'hello to start',
  );

  const published = await npx(dir, [
    'troupe',
    'publish',
    'troupe.hello.HelloRequested',
    '--json',
    '{"requestId":"request-1","text":"hello","requestedAt":"2026-01-01T12:00:00.000Z"}',
  ]);
  const correlationId = /correlation id (\S+)$/m.exec(published.stdout)?.[1];
  expect(correlationId).toBeDefined();

  // The service's answer is caused by the request: trace shows both, the answer under it.
  const trace = await until(async () => {
    const { stdout } = await npx(dir, ['troupe', 'trace', correlationId!, '--since', '1h']);
    return stdout.includes('HelloAnswered') ? stdout : undefined;
  }, 'the answer in the trace');
  expect(trace).toContain('HelloRequested');
  expect(trace.indexOf('HelloRequested')).toBeLessThan(trace.indexOf('HelloAnswered'));
  expect(logs).toContain('"msg":"answering"');

  service.kill('SIGTERM');
  const code = await new Promise((resolve) => service.on('exit', resolve));
  expect(code).toBe(0);
}, 300_000);
