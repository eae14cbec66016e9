import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';

export interface SpawnOptions {
  logFile: string;
  cwd?: string;
  /**
   * Variables set for the server on top of this process's environment (less any TROUPE_KAFKA_*
   * but the driver, and TSX_TSCONFIG_PATH: see serverEnvironment). Kept in the handle, which
   * `stack:up` writes to disk: the stack's own servers are given secrets as files only.
   */
  env?: Record<string, string>;
  /** Run as another account (PostgreSQL will not run as root). */
  account?: { uid: number; gid: number };
  /**
   * Own process group, so the server outlives the command that started it (`stack:up`)
   * and a stop can signal everything it forked.
   */
  detached: boolean;
}

/** How a server was spawned: enough to spawn it again in place (same ports, same data). */
export interface ServerLaunch extends SpawnOptions {
  command: string;
  args: string[];
}

/** What a running server needs to be stopped later, possibly by another process: plain data. */
export interface ServerHandle {
  name: string;
  pid: number;
  detached: boolean;
  logFile: string;
  /** Signal that asks this server for a clean, fast shutdown. */
  stopSignal: NodeJS.Signals;
  /** How it was spawned, for a restart in place (server-control.ts). */
  launch: ServerLaunch;
}

export function spawnServer(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { stopSignal?: NodeJS.Signals },
): ServerHandle {
  const { stopSignal = 'SIGTERM', ...spawnOptions } = options;
  const launch: ServerLaunch = { command, args, ...spawnOptions };
  return { name, pid: spawnLaunch(name, launch), ...handleFields(launch), stopSignal, launch };
}

/** The same server spawned again as it was first (a restart): a new handle, a new pid. */
export function respawnServer(handle: ServerHandle): ServerHandle {
  return { ...handle, pid: spawnLaunch(handle.name, handle.launch) };
}

function handleFields(launch: ServerLaunch): Pick<ServerHandle, 'detached' | 'logFile'> {
  return { detached: launch.detached, logFile: launch.logFile };
}

function spawnLaunch(name: string, launch: ServerLaunch): number {
  const log = openSync(launch.logFile, 'a');
  try {
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...serverEnvironment(process.env), ...launch.env },
      stdio: ['ignore', log, log],
      detached: launch.detached,
      uid: launch.account?.uid,
      gid: launch.account?.gid,
    });
    if (child.pid === undefined) throw new Error(`${name}: could not spawn ${launch.command}`);
    // A server started in the background must not keep this process alive.
    if (launch.detached) child.unref();
    child.on('error', () => undefined);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * The environment a stack's server inherits: this process's, less what would point it elsewhere.
 * The registry reaches the stack's broker with the stack's own settings only, so a user's
 * TROUPE_KAFKA_SSL, SASL or client id for another cluster must not reach it (the driver choice
 * may); and it resolves its imports from its own package, so a caller's TSX_TSCONFIG_PATH (often
 * relative to the caller's directory) would point it at a tsconfig that is not there.
 */
function serverEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) =>
        name !== 'TSX_TSCONFIG_PATH' &&
        (!name.startsWith('TROUPE_KAFKA_') || name === 'TROUPE_KAFKA_DRIVER'),
    ),
  );
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

/**
 * Whether the server still runs: its process, and for a detached server any process of its group
 * too. PostgreSQL's backends outlive a SIGKILLed postmaster for a moment, and a postmaster started
 * on the same data meanwhile refuses to run ("pre-existing shared memory block is still in use").
 */
export function serverAlive(handle: Pick<ServerHandle, 'pid' | 'detached'>): boolean {
  return isAlive(handle.pid) || (handle.detached && groupAlive(handle.pid));
}

/** Whether any process of group `pgid` is alive (zombies are not). */
function groupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the parenthesised command name: state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // Gone while we looked.
    }
  }
  return false;
}

/** Sends `sig` to the server (its whole process group when detached); a server gone is no error. */
export function signal(handle: ServerHandle, sig: NodeJS.Signals): void {
  try {
    process.kill(handle.detached ? -handle.pid : handle.pid, sig);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks for a clean shutdown, then kills the process group if it is still there after the grace period. */
export async function stopServer(handle: ServerHandle, graceMs = 10_000): Promise<void> {
  if (!serverAlive(handle)) return;
  signal(handle, handle.stopSignal);
  // A paused server (SIGSTOP) acts on the stop signal only once it runs again.
  signal(handle, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (serverAlive(handle) && Date.now() < deadline) await sleep(50);
  if (serverAlive(handle)) {
    signal(handle, 'SIGKILL');
    while (serverAlive(handle)) await sleep(20);
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
