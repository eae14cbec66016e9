import {
  forgetCurrentStack,
  readCurrentStack,
  rememberCurrentStack,
  serverStates,
} from './current-stack';
import { UsageError } from './errors';
import {
  LocalStack,
  type StartOptions,
  isSecured,
  kafkaNodeCount,
  startLocalStack,
  stopLocalStack,
} from './stack';

/**
 * The stack `stack:up` runs in the background, also what `npm run demo -- --keep` leaves up:
 * the remembered one when all its servers still run, else a new one, detached so that it
 * outlives this process and remembered so that `stack:status` and `stack:down` find it. A
 * remembered stack with a server gone is stopped and replaced. Ctrl-C (SIGINT) or SIGTERM while
 * the servers start stops those started so far. `secure` (see StartOptions) starts a secured
 * stack; a running stack of the other kind is refused, not replaced (its users would lose it),
 * while omitting `secure` reuses whichever runs. `kafkaNodes` likewise: a running stack with
 * another number of Kafka nodes is refused, and omitting it reuses whichever runs.
 */
export async function upBackgroundStack(
  log: (line: string) => void,
  options: Pick<StartOptions, 'secure' | 'kafkaNodes'> = {},
): Promise<{ stack: LocalStack; reused: boolean }> {
  const current = readCurrentStack();
  if (current) {
    const states = serverStates(current);
    if (states.every((s) => s.alive)) {
      if (options.secure !== undefined && options.secure !== isSecured(current))
        throw new UsageError(
          `a ${isSecured(current) ? 'secured' : 'plain'} stack is running (${current.dir}): stop it with npm run stack:down first`,
        );
      const nodes = kafkaNodeCount(current);
      if (options.kafkaNodes !== undefined && options.kafkaNodes !== nodes)
        throw new UsageError(
          `a stack with ${nodes} Kafka node${nodes === 1 ? '' : 's'} is running (${current.dir}): stop it with npm run stack:down first`,
        );
      log(`reusing the running stack in ${current.dir}`);
      return { stack: current, reused: true };
    }
    log(
      `the previous stack is only partly running (${states
        .filter((s) => !s.alive)
        .map((s) => s.name)
        .join(', ')} gone): replacing it`,
    );
    await stopLocalStack(current);
    forgetCurrentStack();
  }
  // Ctrl-C while starting: the servers are detached, so they would outlive us; stop them instead.
  const interrupted = new AbortController();
  const interrupt = () => {
    log('interrupted: stopping the servers started so far…');
    interrupted.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let stack;
  try {
    stack = await startLocalStack({
      detached: true,
      log,
      signal: interrupted.signal,
      secure: options.secure,
      kafkaNodes: options.kafkaNodes,
    });
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  rememberCurrentStack(stack);
  const readiness = Object.entries(stack.readyAfterMs)
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
  log(`stack up in ${(stack.startupMs / 1000).toFixed(1)} s (${readiness}; data in ${stack.dir})`);
  log('stop it with: npm run stack:down');
  return { stack, reused: false };
}
