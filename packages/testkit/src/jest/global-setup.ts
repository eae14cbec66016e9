import { startStack } from '../stack';
import type { RunningStack } from '../stack';

/**
 * Jest's integration project: start the stack once per run. Workers are forked after this,
 * so the TROUPE_* settings set here reach every test file.
 */
export default async function globalSetup(): Promise<void> {
  const stack = await startStack();
  Object.assign(process.env, stack.settings);
  (globalThis as { __troupeStack?: RunningStack }).__troupeStack = stack;
  process.stderr.write(`troupe testkit: stack ready in ${stack.startupSeconds.toFixed(1)} s\n`);
}
