import { spawn } from 'node:child_process';
import * as path from 'node:path';

/**
 * `troupe graph --check` as CI runs it, in its own process (bin/troupe.js): exit 0 and the
 * summary line on this repository, exit 1 and exactly one line on stderr on a project whose
 * choreography drops an event. Needs no broker: the catalog is read, not connected.
 */
const REPO = path.resolve(__dirname, '../../..');
const BIN = path.join(REPO, 'packages/cli/bin/troupe.js');

function troupe(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`troupe ${args.join(' ')} still running after 30 s`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('troupe graph --check as a process', () => {
  it('passes on this repository with one summary line', async () => {
    expect(await troupe(['graph', '--check'])).toEqual({
      code: 0,
      stdout: 'choreography ok: 7 services, 9 event types, 3 topics (1 finding allowed)\n',
      stderr: '',
    });
  });

  it('fails on the orphan-event fixture with exit code 1 and the one line naming the event', async () => {
    const config = 'packages/cli/test/fixtures/orphan-event/troupe.config.ts';
    expect(await troupe(['graph', '--check', '--config', config])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'troupe: unconsumed: troupe.orders.OrderShipped is published by shipping (to orders.events) and handled by no service\n',
    });
  });

  it('rejects an unknown format with one line listing the accepted ones', async () => {
    expect(await troupe(['graph', '--format', 'png'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'troupe: --format: expected one of mermaid, dot, svg, found "png"\n',
    });
  });
});
