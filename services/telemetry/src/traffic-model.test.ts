import type { Route } from '@troupe-services/pipeline';
import { TrafficSettings, loadsOf, simulateWindow } from './traffic-model';

const settings: TrafficSettings = {
  requestsPerSecond: 2_000,
  baseErrorRate: 0.01,
  spikeErrorRate: 0.3,
  spikeMarker: 'spike',
  spikeDelayMs: 1_000,
};
const route: Route = {
  service: 'search',
  stableVersion: '1.0.0',
  canary: {
    version: '2.0.0-spike',
    share: 0.2,
    releaseId: 'r1',
    correlationId: 'c1',
    startedAt: 10_000,
  },
};

describe('traffic model', () => {
  it('spikes a marked canary only after the spike delay', () => {
    expect(loadsOf(route, 10_900, settings, []).map((l) => l.errorRate)).toEqual([0.01, 0.01]);
    expect(
      loadsOf(route, 11_000, settings, []).map((l) => [l.version, l.errorRate, l.spiking]),
    ).toEqual([
      ['1.0.0', 0.01, false],
      ['2.0.0-spike', 0.3, true],
    ]);
  });

  it('applies a spike injected for a version, until it ends', () => {
    const plain: Route = { service: 'cart', stableVersion: '1.0.0' };
    const injected = [{ version: '1.0.0', errorRate: 0.5, until: 5_000 }];
    expect(loadsOf(plain, 4_900, settings, injected)[0]).toMatchObject({
      errorRate: 0.5,
      spiking: true,
      share: 1,
    });
    expect(loadsOf(plain, 5_000, settings, injected)[0]).toMatchObject({
      errorRate: 0.01,
      spiking: false,
    });
  });

  it('splits a window by the shares and carries the release on canary samples', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    let canary = 0;
    for (let i = 0; i < 200; i++) {
      const samples = simulateWindow(
        'search',
        loadsOf(route, 10_000 + i * 100, settings, []),
        { start: 10_000 + i * 100, durationMs: 100 },
        settings,
        random,
      );
      expect(samples.reduce((n, s) => n + s.requests, 0)).toBe(200);
      expect(samples[1]).toMatchObject({ releaseId: 'r1', correlationId: 'c1', windowMs: 100 });
      expect(samples[0]?.releaseId).toBeNull();
      canary += samples[1]?.requests ?? 0;
    }
    expect(canary / (200 * 200)).toBeCloseTo(0.2, 1);
  });
});
