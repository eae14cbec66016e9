import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What one fault scenario counted: the line it prints and the row of README's table. */
export interface FaultFigures {
  scenario: string;
  /** Publishes attempted. */
  sent: number;
  /** Publishes that resolved: all in-sync replicas had the event. */
  acknowledged: number;
  /** Distinct events the handler applied. */
  handled: number;
  /** Records the runtime moved to a dead-letter topic. */
  deadLettered: number;
  /** Events whose effect was applied more than once. */
  duplicated: number;
  /** Acknowledged events never handled. */
  lost: number;
  /** Events of a key first applied after a later event of the same key. */
  orderViolations: number;
  /** From the fault until the first event sent after it was handled. */
  recoverySeconds: number;
  /** The test process's peak resident memory (publisher and service run in it). */
  peakRssMb: number;
}

/** Where the scenarios leave their figures for `scripts/test-faults` to tabulate. */
export function reportDir(): string {
  return process.env.TROUPE_FAULTS_REPORT_DIR ?? path.join(os.tmpdir(), 'troupe-faults');
}

/** Prints the scenario's one line of figures and leaves them, as JSON, for the table. */
export function report(figures: FaultFigures): void {
  const f = figures;
  process.stdout.write(
    `fault: ${f.scenario}: sent ${f.sent}, acknowledged ${f.acknowledged}, handled ${f.handled}, ` +
      `dead-lettered ${f.deadLettered}, duplicated ${f.duplicated}, lost ${f.lost}, ` +
      `order violations ${f.orderViolations}, recovery ${f.recoverySeconds.toFixed(1)} s, ` +
      `peak memory ${f.peakRssMb} MiB\n`,
  );
  const dir = reportDir();
  mkdirSync(dir, { recursive: true });
  const slug = f.scenario.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  writeFileSync(
    path.join(dir, `${slug}.json`),
    JSON.stringify({ ...f, driver: process.env.TROUPE_KAFKA_DRIVER ?? 'kafkajs' }),
  );
}
