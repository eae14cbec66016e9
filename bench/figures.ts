// What the Kafka benches measure and how they sum it up, shared by both sides of each bench.
import { randomBytes } from 'node:crypto';

export interface RunFigures {
  /** Events per second, wall clock. */
  rate: number;
  /** Process CPU time (user + system) per event, in microseconds: unlike the rate, barely moved by other load on the machine. */
  cpuMicros: number;
}

/** The lowest and highest of the rounds, rounded like the median. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/**
 * Wall clock and CPU time from the first batch to the last event, for consumers, whose work
 * starts when the first batch arrives (group joins excluded) and ends at an event count.
 */
export function stopwatch(total: number) {
  let first = 0;
  let cpu: NodeJS.CpuUsage | undefined;
  let seen = 0;
  let finish: (figures: RunFigures) => void = () => undefined;
  const done = new Promise<RunFigures>((resolve) => (finish = resolve));
  return {
    done,
    started: () => {
      if (first === 0) {
        first = performance.now();
        cpu = process.cpuUsage();
      }
    },
    add: (n: number) => {
      seen += n;
      if (seen >= total) {
        const used = process.cpuUsage(cpu);
        finish({
          rate: total / ((performance.now() - first) / 1_000),
          cpuMicros: (used.user + used.system) / total,
        });
      }
    },
  };
}

/** Wall clock and CPU time of `run`, which handles `events` events and resolves when they are done. */
export async function timed(events: number, run: () => Promise<void>): Promise<RunFigures> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    rate: events / (elapsed / 1_000),
    cpuMicros: (used.user + used.system) / events,
  };
}

export function spread(values: readonly number[], digits = 0): Spread {
  const factor = 10 ** digits;
  const r = (n: number) => Math.round(n * factor) / factor;
  return { median: r(median(values)), min: r(Math.min(...values)), max: r(Math.max(...values)) };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const unique = (prefix: string) =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** `1,234 (1,100–1,300)`: a median and the range of the rounds, with `digits` decimals. */
export function formatSpread(s: Spread, unit = '', digits = 0): string {
  const f = (n: number) =>
    n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}
