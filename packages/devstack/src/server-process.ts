import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

export interface SpawnOptions {
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as another account (PostgreSQL will not run as root). */
  account?: { uid: number; gid: number };
  /**
   * Own process group, so the server outlives the command that started it (`stack:up`)
   * and a stop can signal everything it forked.
   */
  detached: boolean;
}

/** What a running server needs to be stopped later, possibly by another process: plain data. */
export interface ServerHandle {
  name: string;
  pid: number;
  detached: boolean;
  logFile: string;
  /** Signal that asks this server for a clean, fast shutdown. */
  stopSignal: NodeJS.Signals;
}

export function spawnServer(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { stopSignal?: NodeJS.Signals },
): ServerHandle {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
      detached: options.detached,
      uid: options.account?.uid,
      gid: options.account?.gid,
    });
    if (child.pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
    // A server started in the background must not keep this process alive.
    if (options.detached) child.unref();
    child.on('error', () => undefined);
    return {
      name,
      pid: child.pid,
      detached: options.detached,
      logFile: options.logFile,
      stopSignal: options.stopSignal ?? 'SIGTERM',
    };
  } finally {
    closeSync(log);
  }
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function signal(handle: ServerHandle, sig: NodeJS.Signals): void {
  try {
    process.kill(handle.detached ? -handle.pid : handle.pid, sig);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks for a clean shutdown, then kills the process group if it is still there after the grace period. */
export async function stopServer(handle: ServerHandle, graceMs = 10_000): Promise<void> {
  if (!isAlive(handle.pid)) return;
  signal(handle, handle.stopSignal);
  const deadline = Date.now() + graceMs;
  while (isAlive(handle.pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(handle.pid)) {
    signal(handle, 'SIGKILL');
    while (isAlive(handle.pid)) await sleep(20);
  }
}

export function logTail(logFile: string, lines = 30): string {
  if (!existsSync(logFile)) return '';
  const text = readFileSync(logFile, 'utf8').trimEnd();
  // Minified stack frames can be one enormous line: keep each line readable.
  return text
    .split('\n')
    .slice(-lines)
    .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
    .join('\n');
}
