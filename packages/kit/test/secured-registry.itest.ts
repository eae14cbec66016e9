/**
 * runService against a schema registry that serves HTTPS with a private CA's certificate and
 * basic authentication (troupe-registry as the secured devstack runs it), as a process with only
 * TROUPE_* settings: the right ones start it; a wrong password, a missing CA or a bad CA file is
 * one line on stderr naming the setting, exit code 1, within TROUPE_CONNECT_TIMEOUT, no password
 * in any output.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  makeStackCertificates,
  startRegistryProcess,
  stopServer,
  type ServerHandle,
} from '@troupe/devstack';
import { createKafkaDriver, loadKafkaConnection } from '@troupe/kit';
import { uniqueName } from '@troupe/testkit';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'secured-service.ts');
const CONNECT_TIMEOUT_S = 5;

const dir = mkdtempSync(path.join(os.tmpdir(), 'secured-registry-'));
let registry: { server: ServerHandle; settings: Record<string, string> };
let password: string;
let readerPassword: string;
const input = uniqueName('registry-in');
const output = uniqueName('registry-out');
const children = new Set<ChildProcess>();

beforeAll(async () => {
  const certificates = await makeStackCertificates(path.join(dir, 'certificates'));
  const started = await startRegistryProcess(
    dir,
    { TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS! },
    false,
    { timeoutMs: 60_000 },
    uniqueName('_schemas-secured'),
    certificates,
  );
  registry = {
    server: started.server,
    settings: { TROUPE_SCHEMA_REGISTRY_URL: started.url, ...started.secured!.settings },
  };
  password = readFileSync(registry.settings.TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE!, 'utf8');
  readerPassword = readFileSync(started.secured!.reader.passwordFile, 'utf8');
  const admin = createKafkaDriver(loadKafkaConnection(process.env), {
    clientId: 'secured-registry-test',
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
}, 100_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (registry) await stopServer(registry.server);
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  output: string;
  stderrLines: string[];
}

function launch(env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
      TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS,
      TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER,
      TROUPE_HTTP_PORT: '0',
      TROUPE_HTTP_HOST: '127.0.0.1',
      TROUPE_LOG_LEVEL: 'info',
      TROUPE_CONNECT_TIMEOUT: `${CONNECT_TIMEOUT_S}s`,
      TEST_TOPIC: input,
      TEST_OUT_TOPIC: output,
      ...registry.settings,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Outcome>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({
        code,
        output: stdout + stderr,
        stderrLines: stderr.trimEnd().split('\n').filter(Boolean),
      });
    }),
  );
  return { child, stdout: () => stdout, exited };
}

function expectNoPassword(text: string): void {
  expect(text).not.toContain(password);
  expect(text).not.toContain(readerPassword);
}

it('starts with the printed settings: basic authentication and the CA applied', async () => {
  const { child, stdout, exited } = launch({});
  const deadline = Date.now() + 60_000;
  while (!stdout().includes('"msg":"service started"')) {
    if (Date.now() > deadline) throw new Error(`the service did not start: ${stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  const outcome = await exited;
  expect(outcome.code).toBe(0);
  expect(outcome.stderrLines).toEqual([]);
  expectNoPassword(outcome.output);
});

describe('a secured registry got wrong fails in one line', () => {
  async function failure(env: Record<string, string | undefined>): Promise<string> {
    const from = Date.now();
    const { exited } = launch(env);
    const outcome = await exited;
    expect(Date.now() - from).toBeLessThan(CONNECT_TIMEOUT_S * 1000 + 10_000);
    expect(outcome.code).toBe(1);
    expectNoPassword(outcome.output);
    expect(outcome.stderrLines).toHaveLength(1);
    expect(outcome.output).not.toMatch(/\n\s+at /);
    return outcome.stderrLines[0]!;
  }

  it('a wrong password names the registry credentials settings', async () => {
    const wrong = path.join(dir, 'wrong-password');
    writeFileSync(wrong, `${password}x`);
    const line = await failure({ TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE: wrong });
    expect(line).toMatch(
      /^secured-service: cannot reach the schema registry at https:\/\/127\.0\.0\.1:\d+ \(TROUPE_SCHEMA_REGISTRY_URL\) within 5s: HTTP 401: .*check TROUPE_SCHEMA_REGISTRY_USERNAME and TROUPE_SCHEMA_REGISTRY_PASSWORD$/,
    );
  });

  it('no credentials at all say the same', async () => {
    const line = await failure({
      TROUPE_SCHEMA_REGISTRY_USERNAME: undefined,
      TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE: undefined,
    });
    expect(line).toMatch(/HTTP 401: .*check TROUPE_SCHEMA_REGISTRY_USERNAME/);
  });

  it("without TROUPE_SCHEMA_REGISTRY_CA_FILE the private CA's certificate is not trusted, and says so", async () => {
    const line = await failure({ TROUPE_SCHEMA_REGISTRY_CA_FILE: undefined });
    expect(line).toMatch(
      /^secured-service: cannot reach the schema registry at .* within 5s: the registry's TLS certificate is not trusted \(.+\): give the CA that signed it in TROUPE_SCHEMA_REGISTRY_CA_FILE$/,
    );
  });

  it('a CA file that does not exist names the variable and the path', async () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const line = await failure({ TROUPE_SCHEMA_REGISTRY_CA_FILE: missing });
    expect(line).toBe(
      `secured-service: TROUPE_SCHEMA_REGISTRY_CA_FILE: expected a path to a readable PEM file of CA certificates, found ${JSON.stringify(`${missing} (no such file)`)}`,
    );
  });
});
