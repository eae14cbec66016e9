import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as path from 'node:path';

let session: Promise<Session> | undefined;

/**
 * Runs `run`, and with BENCH_CPU_PROFILE=<dir> set, under V8's sampling profiler: only the
 * measured part, not the topic fill or the warm-up, lands in `<dir>/<label>.cpuprofile` (open it
 * in Chrome DevTools or speedscope). Profiling slows both sides: figures of such a run are not
 * comparable with an unprofiled one.
 */
export async function profiled<T>(label: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return run();
  session ??= (async () => {
    const s = new Session();
    s.connect();
    await s.post('Profiler.enable');
    await s.post('Profiler.setSamplingInterval', { interval: 200 });
    return s;
  })();
  const s = await session;
  await s.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await s.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    // A label may name a scoped package ("@platformatic/kafka"): no slash may make it a path.
    const file = `${label.replace(/[^\w.]+/g, '-').replace(/^-+/, '')}.cpuprofile`;
    writeFileSync(path.join(dir, file), JSON.stringify(profile));
  }
}
