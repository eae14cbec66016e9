import path from 'node:path';
import { RuntimeDetector, describeRuntime, probeContainerRuntime } from './docker';

/** A detector with no sockets behind it; `calls` records what the probe asked for. */
function fakeDetector(options: {
  applies: boolean;
  detect?: (signal: AbortSignal) => Promise<string>;
}): RuntimeDetector & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async anyStrategyApplies() {
      calls.push('anyStrategyApplies');
      return options.applies;
    },
    detect(signal) {
      calls.push('detect');
      return (options.detect ?? (async () => 'Docker Engine 27.3.1, containers at localhost'))(
        signal,
      );
    },
  };
}

describe('probeContainerRuntime', () => {
  it('says no without loading testcontainers when none of its strategies applies', async () => {
    const detector = fakeDetector({ applies: false });
    const probe = await probeContainerRuntime({ detector });
    expect(probe).toEqual({
      found: false,
      reason: expect.stringContaining('testcontainers has no container runtime to try'),
    });
    expect(detector.calls).toEqual(['anyStrategyApplies']);
  });

  it('finds the runtime testcontainers connects to', async () => {
    const detector = fakeDetector({ applies: true });
    expect(await probeContainerRuntime({ detector })).toEqual({
      found: true,
      runtime: 'Docker Engine 27.3.1, containers at localhost',
    });
    expect(detector.calls).toEqual(['anyStrategyApplies', 'detect']);
  });

  it('says no, with testcontainers’ error, when its detection fails', async () => {
    const detector = fakeDetector({
      applies: true,
      detect: async () => {
        throw new Error('Could not find a working container runtime strategy');
      },
    });
    const probe = await probeContainerRuntime({ detector });
    expect(probe.found).toBe(false);
    expect(!probe.found && probe.reason).toContain(
      'Could not find a working container runtime strategy',
    );
  });

  it('gives up on a runtime that does not answer within the timeout, and stops the detection', async () => {
    let stopped = false;
    const detector = fakeDetector({
      applies: true,
      detect: (signal) =>
        new Promise<string>(() => {
          signal.addEventListener('abort', () => (stopped = true));
        }),
    });
    const started = Date.now();
    const probe = await probeContainerRuntime({ detector, timeoutMs: 30 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(probe).toEqual({
      found: false,
      reason: 'no container runtime answered testcontainers within 30 ms',
    });
    expect(stopped).toBe(true);
  });

  it('does not abort a detection that answered', async () => {
    let signal: AbortSignal | undefined;
    const detector = fakeDetector({
      applies: true,
      detect: async (given) => {
        signal = given;
        return 'Podman 5.2.0, containers at localhost';
      },
    });
    expect((await probeContainerRuntime({ detector, timeoutMs: 30 })).found).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal?.aborted).toBe(false);
  });

  it('leaves no timer behind when the runtime answers', async () => {
    jest.useFakeTimers();
    try {
      const probe = await probeContainerRuntime({ detector: fakeDetector({ applies: true }) });
      expect(probe.found).toBe(true);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a timeout that is not a positive number, naming the option', async () => {
    const detector = fakeDetector({ applies: true });
    await expect(probeContainerRuntime({ detector, timeoutMs: 0 })).rejects.toThrow('timeoutMs');
    await expect(probeContainerRuntime({ detector, timeoutMs: NaN })).rejects.toThrow('timeoutMs');
  });
});

describe('describeRuntime', () => {
  it('names the runtime, its version and where container ports are reached', () => {
    expect(
      describeRuntime({ operatingSystem: 'Docker Desktop', serverVersion: 28, host: 'localhost' }),
    ).toBe('Docker Desktop 28, containers at localhost');
  });
});

describe('the installed testcontainers', () => {
  it('is one copy, shared by the @testcontainers/* modules, so they all use one runtime client', () => {
    const ours = require.resolve('testcontainers');
    for (const module of ['kafka', 'postgresql', 'redis']) {
      const dir = path.dirname(require.resolve(`@testcontainers/${module}/package.json`));
      expect(require.resolve('testcontainers', { paths: [dir] })).toBe(ours);
    }
  });
});
