import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli.ts');
const TSX = require.resolve('tsx/cli');

/** Runs `troupe-stack <command>` as `npm run stack:*` does; the env should name its own TROUPE_STATE_DIR. */
export async function stackCli(command: string, env: NodeJS.ProcessEnv, options: string[] = []) {
  try {
    const { stdout, stderr } = await run(process.execPath, [TSX, CLI, command, ...options], {
      env,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The `export NAME='value'` lines as a record (stack:up and stack:status print them). */
export function settingsOf(stdout: string): Record<string, string> {
  return Object.fromEntries(
    [...stdout.matchAll(/^export (TROUPE_[A-Z_]+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]),
  );
}
