import type { FaultProxy } from '@troupe/testkit';
import { type LocalStack, stackServers } from '@troupe/devstack';
import { type FaultFigures, report } from './figures';
import { sleep, until } from './scenario';
import type { CountedStream } from './stream';

/** How long one network fault took to get over: from its start (or its heal) to the stream resuming. */
export interface Recovery {
  fault: string;
  seconds: number;
}

/** Prints where the stream stands after `what`. */
export function step(stream: CountedStream, what: string): void {
  process.stdout.write(
    `${what}: acknowledged ${stream.acknowledgedCount}, handled ${stream.handledCount}\n`,
  );
}

/**
 * Resolves once the stream flows again: every event acknowledged until now, and 50 acknowledged
 * after, handled within `withinMs` (keep the stream sending a few dozen events a second). Returns
 * the seconds since `from`.
 */
export async function resumed(
  stream: CountedStream,
  what: string,
  from: number,
  withinMs: number,
): Promise<Recovery> {
  const target = stream.acknowledgedCount + 50;
  try {
    await until(() => stream.handledCount >= target, withinMs, `the stream resuming ${what}`);
  } catch (error) {
    // Which side stopped: the publisher (acknowledged stands still) or the service (its probes).
    step(stream, `not resumed ${what}, waiting for ${target} handled`);
    process.stdout.write(`service probes: ${JSON.stringify(stream.probes())}\n`);
    throw error;
  }
  const recovery = { fault: what, seconds: (Date.now() - from) / 1000 };
  step(stream, `resumed ${what} in ${recovery.seconds.toFixed(1)} s`);
  return recovery;
}

/**
 * The network faults of the suite, in order, on `proxy` (between the part under test and its
 * server), each waited out until the stream resumes: 500 ms latency each way for 8 s (then none); every
 * connection cut; the network hung for 15 s (open and silent, new connections too), then healed;
 * the open connections silent for good while new ones go through (half-open), which the client
 * must get over by itself. Returns how long each took.
 */
export async function throughNetworkFaults(
  proxy: FaultProxy,
  stream: CountedStream,
  limits: { resumeWithinMs: number },
): Promise<Recovery[]> {
  const recoveries: Recovery[] = [];
  const within = limits.resumeWithinMs;

  proxy.latency(500);
  const handledBefore = stream.handledCount;
  step(stream, '500 ms latency');
  await sleep(8_000);
  // Progress under latency is reported, not required: to a client whose commands time out within
  // a second (a fail-fast Redis), a second's round trip is an unavailable server.
  step(stream, `${stream.handledCount - handledBefore} handled under latency`);
  proxy.latency(0);
  recoveries.push(await resumed(stream, 'after 8 s of 500 ms latency', Date.now(), within));

  proxy.cut();
  step(stream, 'every connection cut');
  recoveries.push(await resumed(stream, 'after the cut', Date.now(), within));

  proxy.hang();
  step(stream, 'the network hung: every connection open and silent, new ones too');
  await sleep(15_000);
  proxy.heal();
  step(stream, 'network healed');
  recoveries.push(await resumed(stream, 'after the hung network healed', Date.now(), within));

  proxy.hang('open');
  step(stream, 'the open connections silent for good (half-open), new ones forwarded');
  // No heal until it resumed: the client gives up on the silent connections by itself, or never.
  recoveries.push(
    await resumed(stream, 'by itself, its old connections still silent', Date.now(), within),
  );
  proxy.heal();
  return recoveries;
}

/** The slowest recovery: the scenario's figure. */
export function slowest(recoveries: readonly Recovery[]): number {
  return Math.max(...recoveries.map((r) => r.seconds));
}

/** SIGKILLs one of the stack's servers, restarts it 5 s later, and waits for the stream to resume. */
export async function killAndRestart(
  stream: CountedStream,
  stack: LocalStack,
  server: string,
  what: string,
): Promise<Recovery> {
  const servers = stackServers(stack);
  await servers.kill(server);
  step(stream, `${server} SIGKILLed`);
  await sleep(5_000);
  await servers.restart(server);
  step(stream, `${server} restarted`);
  return resumed(stream, `after the ${what} restart`, Date.now(), 60_000);
}

/**
 * Ends a scenario's stream: stops publishing, waits for what was acknowledged to be handled,
 * and reports its figures, with the slowest of `recoveries` as its recovery.
 */
export async function finish(
  stream: CountedStream,
  scenario: string,
  recoveries: readonly Recovery[],
): Promise<FaultFigures> {
  stream.endPublishing();
  await stream.produced();
  await stream.drained(90_000);
  const figures = await stream.figures(scenario, slowest(recoveries));
  report(figures);
  return figures;
}
