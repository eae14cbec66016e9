import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from './cache';
import { isAlive } from './server-process';
import { LocalStack } from './stack';

/**
 * The stack `stack:up` left running in the background, remembered so that a second `stack:up`
 * reuses it and `stack:down` stops exactly what was started, not other servers of the machine.
 */
const stateFile = () => path.join(stateDir(), 'current-stack.json');

export function readCurrentStack(): LocalStack | undefined {
  const file = stateFile();
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalStack;
  } catch {
    return undefined;
  }
}

export function rememberCurrentStack(stack: LocalStack): void {
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(stateFile(), JSON.stringify(stack, null, 2));
}

export function forgetCurrentStack(): void {
  rmSync(stateFile(), { force: true });
}

export function serverStates(stack: LocalStack): { name: string; pid: number; alive: boolean }[] {
  return stack.servers.map((server) => ({
    name: server.name,
    pid: server.pid,
    alive: isAlive(server.pid),
  }));
}
