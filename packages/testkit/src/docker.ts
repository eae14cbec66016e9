import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ContainerRuntimeClient } from 'testcontainers';
import { anyStrategyApplies, loadRuntimeStrategies } from './runtime-strategies';

/** Whether testcontainers reaches a container runtime, and which one or why not, for the log. */
export type RuntimeProbe = { found: true; runtime: string } | { found: false; reason: string };

/** How `probeContainerRuntime()` asks testcontainers; unit tests pass their own. */
export interface RuntimeDetector {
  /** Cheap (files and environment only): does any of testcontainers' strategies apply here? */
  anyStrategyApplies(): Promise<boolean>;
  /**
   * testcontainers' full detection: resolves with a description of the runtime it reached,
   * rejects when none works. When `signal` aborts (the timeout) it must let go of everything.
   */
  detect(signal: AbortSignal): Promise<string>;
}

type RuntimeInfo = Pick<
  ContainerRuntimeClient['info']['containerRuntime'],
  'operatingSystem' | 'serverVersion' | 'host'
>;

type WorkerAnswer = { found: true; info: RuntimeInfo } | { found: false; reason: string };

/**
 * Runs in a worker thread, because testcontainers' detection cannot be cancelled: a runtime that
 * accepts the connection and never answers would otherwise keep this process alive for good.
 * Terminating the worker closes its connections.
 */
const DETECT_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.testcontainers).getContainerRuntimeClient().then(
  ({ info: { containerRuntime: r } }) =>
    parentPort.postMessage({ found: true, info: { operatingSystem: r.operatingSystem, serverVersion: r.serverVersion, host: r.host } }),
  (error) => parentPort.postMessage({ found: false, reason: String((error && error.message) || error) }),
);
`;

const requireHere = createRequire(__filename);

export const testcontainersDetector: RuntimeDetector = {
  anyStrategyApplies: () => anyStrategyApplies(loadRuntimeStrategies()),
  detect(signal) {
    return new Promise<string>((resolve, reject) => {
      const worker = new Worker(DETECT_IN_WORKER, {
        eval: true,
        workerData: { testcontainers: requireHere.resolve('testcontainers') },
      });
      let settled = false;
      const settle = (answer: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        void worker.terminate();
        answer();
      };
      const onAbort = (): void => settle(() => reject(signal.reason));
      signal.addEventListener('abort', onAbort);
      worker.once('message', (message: WorkerAnswer) =>
        settle(() =>
          message.found
            ? resolve(describeRuntime(message.info))
            : reject(new Error(message.reason)),
        ),
      );
      worker.once('error', (error) => settle(() => reject(error)));
      worker.once('exit', (code) =>
        settle(() => reject(new Error(`the detection worker exited (${code}) without answering`))),
      );
    });
  },
};

export const DEFAULT_RUNTIME_TIMEOUT_MS = 10_000;

/**
 * Can testcontainers reach a container runtime? Asked of testcontainers itself
 * (`getContainerRuntimeClient()`: its strategies in its order, then `docker info` through the
 * first that works), so Docker Desktop, rootless Docker, ~/.testcontainers.properties and
 * DOCKER_HOST (how testcontainers reaches Podman and Colima) count exactly when testcontainers
 * would use them. `startContainerStack()` later runs the same detection, on the same settings.
 *
 * Defaults and limits:
 * - when none of testcontainers' strategies applies (no socket, no settings: a machine without an
 *   engine) the answer is "no" in well under a second, without loading the rest of testcontainers;
 * - otherwise the detection runs in a worker thread and gets `timeoutMs` (10 s, loading
 *   testcontainers' ~1 s included); a runtime that has not answered by then counts as absent and
 *   the worker is terminated. A refused or missing socket fails as soon as testcontainers has
 *   loaded, not at the timeout.
 * Prints nothing; testcontainers' debug log shows with DEBUG=testcontainers*.
 */
export async function probeContainerRuntime(
  options: { timeoutMs?: number; detector?: RuntimeDetector } = {},
): Promise<RuntimeProbe> {
  const { timeoutMs = DEFAULT_RUNTIME_TIMEOUT_MS, detector = testcontainersDetector } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  if (!(await detector.anyStrategyApplies())) {
    return {
      found: false,
      reason:
        'testcontainers has no container runtime to try (no DOCKER_HOST, no ~/.testcontainers.properties, no Docker socket)',
    };
  }
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const timedOut = new Promise<never>((_, reject) =>
    timeout.signal.addEventListener('abort', () => reject(timeout.signal.reason)),
  );
  try {
    return {
      found: true,
      runtime: await Promise.race([detector.detect(timeout.signal), timedOut]),
    };
  } catch (error) {
    if (timeout.signal.aborted) {
      return {
        found: false,
        reason: `no container runtime answered testcontainers within ${timeoutMs} ms`,
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      found: false,
      reason: `testcontainers reaches no container runtime (${message}; DEBUG=testcontainers* shows why)`,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** "Docker Desktop 28.0.1, containers at localhost". */
export function describeRuntime(info: RuntimeInfo): string {
  return `${info.operatingSystem} ${info.serverVersion}, containers at ${info.host}`;
}
