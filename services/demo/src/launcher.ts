import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { startCanary } from '@troupe-services/canary';
import { startNotifier } from '@troupe-services/notifier';
import type { RunningService } from '@troupe-services/pipeline';
import { startReleases } from '@troupe-services/releases';
import { startRollback } from '@troupe-services/rollback';
import { startTelemetry } from '@troupe-services/telemetry';
import { startVerifier } from '@troupe-services/verifier';
import { startWatchdog } from '@troupe-services/watchdog';

export const SERVICE_NAMES = [
  'releases',
  'verifier',
  'canary',
  'telemetry',
  'watchdog',
  'rollback',
  'notifier',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** How a service ended: its exit code, or the signal that killed it. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Launched {
  mode: 'process' | 'in-process';
  pid?: number;
  exited: Promise<ExitInfo>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export interface LauncherOptions {
  /** The environment every service gets (TROUPE_* settings); per-service additions come with start(). */
  env: Record<string, string>;
  /** Repository root: services run from `services/<name>/src/main.ts`. */
  root: string;
  /** Services to run inside this process instead (tests); all others run as child processes. */
  inProcess?: readonly ServiceName[];
  /** Child processes' stdout and stderr are appended to `<logDir>/<name>.log`. */
  logDir: string;
  readyTimeoutMs?: number;
}

const STARTERS: Record<ServiceName, (env: Record<string, string>) => Promise<RunningService>> = {
  releases: (env) => startReleases(env, { opsServer: true }),
  verifier: (env) => startVerifier(env, { opsServer: true }),
  canary: (env) => startCanary(env, { opsServer: true }),
  telemetry: (env) => startTelemetry(env, { controlServer: true }),
  watchdog: (env) => startWatchdog(env, { opsServer: true }),
  rollback: (env) => startRollback(env, { opsServer: true }),
  notifier: (env) => startNotifier(env, { opsServer: true }),
};

/**
 * Starts the pipeline's services, each as a separate Node process (`node --import tsx
 * services/<name>/src/main.ts`, workspace packages resolved to their sources) or, for tests, in
 * this process. Every service gets its own free port for /readyz (the kit's ops server; the
 * telemetry's control endpoint); start() returns once the service answers ready.
 */
export class PipelineLauncher {
  readonly opsPorts = new Map<ServiceName, number>();
  apiPort = 0;
  private readonly running = new Map<ServiceName, Launched>();
  private readonly readyTimeoutMs: number;

  constructor(private readonly options: LauncherOptions) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
    // Whatever happens to this process, its children must not outlive it.
    process.once('exit', () => {
      for (const launched of this.running.values())
        if (launched.pid) tryKill(launched.pid, 'SIGKILL');
    });
  }

  get releasesUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get telemetryUrl(): string {
    return `http://127.0.0.1:${this.opsPorts.get('telemetry')}`;
  }

  pid(name: ServiceName): number | undefined {
    return this.running.get(name)?.pid;
  }

  /**
   * Starts every service; when one fails, waits for the others' starts to end before throwing
   * its error, so that a stopAll() afterwards finds (and stops) every service that did start.
   */
  async startAll(): Promise<void> {
    const starts = await Promise.allSettled(SERVICE_NAMES.map((name) => this.start(name)));
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Starts one service (again, after a kill) and waits until it is ready, unless told not to wait. */
  async start(
    name: ServiceName,
    extraEnv: Record<string, string> = {},
    options: { waitReady?: boolean } = {},
  ): Promise<void> {
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    if (!this.opsPorts.has(name)) this.opsPorts.set(name, await freePort());
    if (name === 'releases' && this.apiPort === 0) this.apiPort = await freePort();
    const env = {
      ...this.options.env,
      TROUPE_HTTP_PORT: String(this.opsPorts.get(name)),
      TROUPE_HTTP_HOST: '127.0.0.1',
      TROUPE_RELEASES_API_PORT: String(this.apiPort),
      TROUPE_RELEASES_API_HOST: '127.0.0.1',
      // One replica per service: a restart comes back as the same instance (see dedup owner).
      TROUPE_INSTANCE_ID: `${name}-0`,
      ...extraEnv,
    };
    const inProcess = this.options.inProcess?.includes(name) ?? false;
    const launched = inProcess
      ? await this.startInProcess(name, env)
      : this.spawnProcess(name, env);
    this.running.set(name, launched);
    void launched.exited.then(() => {
      if (this.running.get(name) === launched) this.running.delete(name);
    });
    if (options.waitReady ?? true) await this.waitReady(name, launched);
  }

  /** SIGKILL: no drain, no commit, no goodbye. Resolves once the process is gone. */
  async kill(name: ServiceName): Promise<ExitInfo> {
    const launched = this.running.get(name);
    if (!launched) throw new Error(`${name} is not running`);
    await launched.kill();
    return launched.exited;
  }

  /** Resolves when the service's current process ends (e.g. a fault made it kill itself). */
  exited(name: ServiceName): Promise<ExitInfo> {
    const launched = this.running.get(name);
    return launched ? launched.exited : Promise.resolve({ code: null, signal: null });
  }

  /** Graceful stop (SIGTERM for processes), SIGKILL after 15 s. */
  async stop(name: ServiceName): Promise<void> {
    await this.running.get(name)?.stop();
    this.running.delete(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stop(name)));
  }

  /** Waits until GET /readyz on the service's port answers 200 (the releases API's too). */
  async waitReady(name: ServiceName, launched = this.running.get(name)): Promise<void> {
    const urls = [`http://127.0.0.1:${this.opsPorts.get(name)}/readyz`];
    if (name === 'releases') urls.push(`${this.releasesUrl}/readyz`);
    const deadline = Date.now() + this.readyTimeoutMs;
    let exited: ExitInfo | undefined;
    void launched?.exited.then((info) => (exited = info));
    for (;;) {
      if (exited)
        throw new Error(
          `${name} exited (${describeExit(exited)}) before it was ready; see ${this.logFile(name)}`,
        );
      const answers = await Promise.all(
        urls.map((url) =>
          fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      if (answers.every(Boolean)) return;
      if (Date.now() > deadline)
        throw new Error(
          `${name}: expected /readyz to answer 200 within ${this.readyTimeoutMs} ms; see ${this.logFile(name)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  logFile(name: ServiceName): string {
    return path.join(this.options.logDir, `${name}.log`);
  }

  private spawnProcess(name: ServiceName, env: Record<string, string>): Launched {
    const root = this.options.root;
    const log = openSync(this.logFile(name), 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'services', name, 'src', 'main.ts')],
        {
          cwd: root,
          env: {
            ...process.env,
            ...env,
            // Workspace packages from their sources (the root tsconfig.json's paths).
            TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json'),
          },
          stdio: ['ignore', log, log],
        },
      );
    } finally {
      closeSync(log);
    }
    const exited = new Promise<ExitInfo>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    return {
      mode: 'process',
      pid: child.pid,
      exited,
      kill,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      },
    };
  }

  private async startInProcess(name: ServiceName, env: Record<string, string>): Promise<Launched> {
    const service = await STARTERS[name](env);
    let resolveExit: (info: ExitInfo) => void = () => undefined;
    const exited = new Promise<ExitInfo>((resolve) => (resolveExit = resolve));
    const stop = async () => {
      await service.stop();
      resolveExit({ code: 0, signal: null });
    };
    return {
      mode: 'in-process',
      exited,
      stop,
      kill: () =>
        Promise.reject(
          new Error(`${name} runs in this process: it cannot be killed with a signal`),
        ),
    };
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
