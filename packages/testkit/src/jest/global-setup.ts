import './from-sources'; // first: @troupe/* below resolve to their src/
import { ignoreKafkajsNegativeTimeoutWarning } from '@troupe/kit/kafkajs';
import { startStack } from '../stack';
import type { RunningStack } from '../stack';

/**
 * Jest's integration project: start the stack once per run. Workers are forked after this,
 * so the TROUPE_* settings set here reach every test file.
 */
export default async function globalSetup(): Promise<void> {
  // Node 23+ warns once per process about kafkajs's negative timeouts. Test files run the kafkajs
  // driver inside jest's sandboxes, whose `process` is a copy, so the filter the driver installs
  // there never reaches the real process Node's timers warn through: install it on this one, where
  // in-band test files run (as on 2 cores). Worker processes, when jest forks them, do not get it.
  ignoreKafkajsNegativeTimeoutWarning();
  const stack = await startStack();
  Object.assign(process.env, stack.settings);
  (globalThis as { __troupeStack?: RunningStack }).__troupeStack = stack;
  process.stderr.write(`troupe testkit: stack ready in ${stack.startupSeconds.toFixed(1)} s\n`);
}
