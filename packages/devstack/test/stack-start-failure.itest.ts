import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kafkaLibDir } from '../src/kafka';
import { kafkaRelease } from '../src/kafka-release';
import { postgresBinDir } from '../src/prerequisites';
import { isAlive } from '../src/server-process';
import { CLI, stackCli } from './support/stack-cli';

/**
 * Processes whose command line or working directory lies under `dir`. Both are needed: Redis
 * rewrites its command line to `redis-server host:port`, hiding `--dir`, but it chdirs there, as
 * PostgreSQL and all its children do into their data directory. A deleted working directory still
 * reads as its old path (plus " (deleted)"), so a server left behind by a cleanup still shows.
 */
function processesUnder(dir: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // A zombie has no working directory any more.
      }
      if (command.includes(dir) || cwd.startsWith(`${dir}/`))
        found.push({ pid: Number(entry), command });
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

/** Runs the CLI while sampling /proc, so the test knows which servers the attempt really spawned. */
async function upWatchingProcesses(env: NodeJS.ProcessEnv, dir: string) {
  const seen = new Map<number, string>();
  const look = () => {
    for (const p of processesUnder(dir)) seen.set(p.pid, p.command);
  };
  const timer = setInterval(look, 50);
  try {
    const result = await stackCli('up', env);
    return { ...result, seen };
  } finally {
    clearInterval(timer);
  }
}

/** The first match for `command` in PATH, as the CLI would find it. */
function which(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, command))) return path.join(dir, command);
  }
  throw new Error(`${command} is not in PATH: this test needs it`);
}

describe('npm run stack:up that cannot complete', () => {
  const made: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
  /** The attempt's TMPDIR: its troupe-stack-* data dir is created in here, so we know where to look. */
  let attemptTmp: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    attemptTmp = tempDir('troupe-attempt-');
    // PostgreSQL runs as its own account when we are root and must reach its data dir through this one.
    chmodSync(attemptTmp, 0o711);
    env = { ...process.env, TMPDIR: attemptTmp, TROUPE_STATE_DIR: tempDir('troupe-state-') };
  });

  afterEach(() => {
    // Only matters when a test fails: never leave its servers running for the next test file.
    for (const { pid } of processesUnder(attemptTmp)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });

  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  const stackDirsIn = (dir: string) =>
    readdirSync(dir).filter((n) => n.startsWith('troupe-stack-'));

  it('stops every server it spawned, then deletes the data dir, when Kafka fails after Redis and PostgreSQL were spawned', async () => {
    // A classpath that claims to be complete but holds no jar: java is there, so every prerequisite
    // check passes and Redis and PostgreSQL are spawned, but the JVM cannot load Kafka's classes.
    const cache = tempDir('troupe-cache-');
    // The classpath of the release the CLI will select from the same TROUPE_KAFKA_VERSION.
    const lib = kafkaLibDir(kafkaRelease(env), cache);
    mkdirSync(lib, { recursive: true });
    writeFileSync(path.join(lib, '.complete'), 'no jars on purpose');

    const result = await upWatchingProcesses({ ...env, TROUPE_CACHE_DIR: cache }, attemptTmp);

    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'troupe-stack: kafka did not come up: formatting the KRaft storage failed',
    );
    // What follows is the failing server's own output, set apart, not more errors.
    expect(lines[1]).toBe('--- kafka log (tail) ---');
    expect(result.stderr).toContain('Could not find or load main class kafka.tools.StorageTool');
    expect(lines.filter((line) => line.startsWith('troupe-stack:'))).toHaveLength(1);
    expect(result.stdout).toBe('');

    // The failure came once Redis was running and PostgreSQL's start (initdb, then the server)
    // under way: this is what makes the test mean anything.
    const commands = [...result.seen.values()];
    expect(commands.some((c) => /redis-server 127\.0\.0\.1:\d+/.test(c))).toBe(true);
    expect(commands.some((c) => /(initdb|postgres) -D /.test(c))).toBe(true);

    // Nothing from the attempt still runs, and its data dir is gone.
    expect(processesUnder(attemptTmp)).toEqual([]);
    expect([...result.seen.keys()].filter(isAlive)).toEqual([]);
    expect(stackDirsIn(attemptTmp)).toEqual([]);
    expect(existsSync(path.join(env.TROUPE_STATE_DIR!, 'current-stack.json'))).toBe(false);
  }, 180_000);

  it('Ctrl-C while the servers start stops every one of them (they are detached) and deletes the data dir', async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), CLI, 'up'], { env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const seen = new Map<number, string>();
    // Interrupt once Redis runs and Kafka's JVM has been spawned: servers are mid-start.
    const deadline = Date.now() + 60_000;
    for (;;) {
      for (const p of processesUnder(attemptTmp)) seen.set(p.pid, p.command);
      const commands = [...seen.values()];
      if (
        commands.some((c) => /redis-server 127\.0\.0\.1:\d+/.test(c)) &&
        commands.some((c) => c.includes('kafka.Kafka'))
      )
        break;
      if (Date.now() > deadline) throw new Error(`servers never started: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    const code = await exited;

    expect(code).toBe(1);
    expect(stderr).toContain('troupe-stack: interrupted: every server started so far was stopped');
    expect(processesUnder(attemptTmp)).toEqual([]);
    expect([...seen.keys()].filter(isAlive)).toEqual([]);
    expect(stackDirsIn(attemptTmp)).toEqual([]);
    expect(existsSync(path.join(env.TROUPE_STATE_DIR!, 'current-stack.json'))).toBe(false);
  }, 180_000);

  it('starts nothing when java is missing, though Redis and PostgreSQL could have started', async () => {
    // Everything but java: redis-server and `id` (used to find the postgres account as root) in
    // PATH, PostgreSQL through TROUPE_PG_BIN.
    const bin = tempDir('troupe-path-');
    for (const command of ['redis-server', 'id'])
      symlinkSync(which(command), path.join(bin, command));

    const result = await upWatchingProcesses(
      { ...env, PATH: bin, TROUPE_PG_BIN: postgresBinDir() },
      attemptTmp,
    );

    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'troupe-stack: java was not found: install it with `apt-get install -y openjdk-17-jre-headless`',
    ]);
    expect([...result.seen.values()]).toEqual([]);
    expect(processesUnder(attemptTmp)).toEqual([]);
    expect(stackDirsIn(attemptTmp)).toEqual([]);
  }, 180_000);
});
