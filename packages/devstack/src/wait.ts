import { ServerStartError } from './errors';
import { ServerHandle, isAlive, logTail } from './server-process';

/**
 * Polls `probe` until it resolves, the server exits, or the timeout passes. Failures carry the
 * server's own log tail, which is where the real reason is.
 */
export async function waitUntilReady(
  server: ServerHandle,
  probe: () => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
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
