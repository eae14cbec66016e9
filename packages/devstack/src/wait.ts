import { ServerStartError, StartInterruptedError } from './errors';
import { ServerHandle, isAlive, logTail, stopServer } from './server-process';

/** How long a server may take to answer, and a signal that gives up sooner (Ctrl-C during `up`). */
export interface ReadyWait {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Polls `probe` until it resolves, the server exits, or the timeout passes. Failures carry the
 * server's own log tail, which is where the real reason is.
 *
 * A server that does not come up is stopped (and waited for) before the error is thrown: whoever
 * started it gets a ready server or an error, never a process it has no handle to stop.
 */
export async function waitUntilReady(
  server: ServerHandle,
  probe: () => Promise<void>,
  wait: ReadyWait,
): Promise<void> {
  try {
    await answered(server, probe, wait);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
}

async function answered(
  server: ServerHandle,
  probe: () => Promise<void>,
  { timeoutMs, signal }: ReadyWait,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new StartInterruptedError();
    if (!isAlive(server.pid)) {
      throw new ServerStartError(server.name, 'the process exited', logTail(server.logFile));
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new ServerStartError(
    server.name,
    `no answer within ${timeoutMs} ms (last probe error: ${reason})`,
    logTail(server.logFile),
  );
}
