/**
 * Prints the table README's "Fault scenarios" shows: one row per scenario of the last
 * `npm run test:faults`, from the figures each left in the report directory, and the machine it
 * ran on. `scripts/test-faults` runs it after the scenarios.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultFigures } from './support/figures';
import { reportDir } from './support/figures';
import { kafkaRelease } from '../packages/devstack/src/kafka-release';

const dir = reportDir();
const rows = (existsSync(dir) ? readdirSync(dir) : [])
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map(
    (name) =>
      JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as FaultFigures & { driver: string },
  );
const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const kafka = kafkaRelease(process.env).version;
process.stdout.write(
  `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}, Kafka ${kafka}, driver ${rows[0]?.driver ?? 'kafkajs'}\n\n`,
);
process.stdout.write(
  '| scenario | sent | acknowledged | handled | dead-lettered | duplicated | lost | order violations | recovery | peak memory |\n' +
    '|---|---|---|---|---|---|---|---|---|---|\n',
);
for (const r of rows)
  process.stdout.write(
    `| ${r.scenario} | ${r.sent} | ${r.acknowledged} | ${r.handled} | ${r.deadLettered} | ${r.duplicated} | ${r.lost} | ${r.orderViolations} | ${r.recoverySeconds.toFixed(1)} s | ${r.peakRssMb} MiB |\n`,
  );
