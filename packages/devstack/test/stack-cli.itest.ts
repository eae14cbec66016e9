import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../src/server-process';
import { stackCli } from './support/stack-cli';

/** What a shell gets from `eval "$(npm run -s stack:up)"`: the TROUPE_* it then exports. */
function evalInShell(stdout: string): Record<string, string> {
  const shown = execFileSync('bash', ['-c', 'eval "$STACK_UP_OUTPUT"; env -0'], {
    env: { PATH: process.env.PATH ?? '', STACK_UP_OUTPUT: stdout },
  }).toString();
  return Object.fromEntries(
    shown
      .split('\0')
      .filter((entry) => entry.startsWith('TROUPE_'))
      .map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

function parseSettings(stdout: string): Record<string, string> {
  const lines = stdout.trim().split('\n');
  for (const line of lines) expect(line).toMatch(/^export TROUPE_[A-Z_]+='[^']*'$/);
  return evalInShell(stdout);
}

describe('npm run stack:up / stack:status / stack:down', () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'troupe-state-'));
  const env = { ...process.env, TROUPE_STATE_DIR: stateDir };
  afterAll(async () => {
    await stackCli('down', env);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts a stack in the background, reuses it, and stops exactly what it started', async () => {
    const first = await stackCli('up', env);
    expect(first.code).toBe(0);
    const settings = parseSettings(first.stdout);
    expect(Object.keys(settings).sort()).toEqual([
      'TROUPE_DATABASE_URL',
      'TROUPE_KAFKA_BROKERS',
      'TROUPE_REDIS_URL',
      'TROUPE_SCHEMA_REGISTRY_URL',
    ]);
    expect(settings.TROUPE_KAFKA_BROKERS).toMatch(/^127\.0\.0\.1:\d+$/);

    const second = await stackCli('up', env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('reusing');
    expect(parseSettings(second.stdout)).toEqual(settings);

    const status = await stackCli('status', env);
    expect(status.code).toBe(0);
    const pids = [...status.stderr.matchAll(/pid (\d+)\s+running/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(4);
    expect(pids.every(isAlive)).toBe(true);
    const dir = /removed (\S+)/;

    const down = await stackCli('down', env);
    expect(down.code).toBe(0);
    const removed = dir.exec(down.stderr)?.[1];
    expect(removed).toBeDefined();
    expect(existsSync(removed!)).toBe(false);
    expect(pids.some(isAlive)).toBe(false);
    expect((await stackCli('status', env)).code).toBe(3);
  }, 180_000);

  it('refuses an unknown TROUPE_KAFKA_VERSION in one line naming the accepted values, before any check', async () => {
    // An empty PATH too: the setting is read first, so no missing tool is reported instead.
    const emptyPath = mkdtempSync(path.join(os.tmpdir(), 'troupe-nopath-'));
    const result = await stackCli('prepare', {
      ...env,
      PATH: emptyPath,
      TROUPE_KAFKA_VERSION: '4.1',
    });
    rmSync(emptyPath, { recursive: true });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'troupe-stack: TROUPE_KAFKA_VERSION="4.1" is not accepted: use 4.4 or 4.4.0 (the default), 3.9 or 3.9.1',
    ]);
    expect(result.stdout).toBe('');
  });

  it('a failed up leaves eval "$(…)" nothing to run: the reason on stderr, a non-zero exit', async () => {
    const result = await stackCli('up', { ...env, TROUPE_KAFKA_VERSION: '4.1' });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(evalInShell(result.stdout)).toEqual({});
  });

  it('names a missing prerequisite and how to install it, in one line', async () => {
    const emptyPath = mkdtempSync(path.join(os.tmpdir(), 'troupe-nopath-'));
    const result = await stackCli('prepare', { ...env, PATH: emptyPath, TROUPE_PG_BIN: '' });
    rmSync(emptyPath, { recursive: true });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /redis-server was not found: install it with `apt-get install -y redis-server`/,
    );
  });
});
