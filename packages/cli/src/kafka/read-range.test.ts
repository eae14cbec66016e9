import type { KafkaDriver } from '@troupe/kit';
import type { ConsumedRecord, ConsumerRunOptions, GroupConsumer } from '@troupe/kit/internal';
import { readRanges, ReadRangeError, type RangeBatch } from './read-range';

/**
 * A partition as the fake driver holds it: offsets that are data records, and offsets (in the
 * same numbering) that are transaction markers, which no batch shows.
 */
interface FakePartition {
  records: number;
  markers?: number[];
}

/**
 * A driver with one member, fetching like kafkajs: from the partition's position, up to
 * `batchSize` offsets; a fetch of only markers is skipped (onSkipped) rather than handed out;
 * the position moves only by seek or commit, so a batch neither sought past nor committed is
 * fetched again.
 */
function fakeDriver(
  partitions: FakePartition[],
  options: { batchSize?: number; assigned?: number[] } = {},
) {
  const batchSize = options.batchSize ?? 3;
  const commits: { partition: number; offset: string; metadata?: string | null }[] = [];
  let fetches = 0;
  const consumer: GroupConsumer & { stopped: boolean } = {
    stopped: false,
    run: async (run: ConsumerRunOptions) => {
      const positions = partitions.map(() => 0);
      const paused = new Set<number>();
      consumer.seek = (_topic, partition, offset) => void (positions[partition] = Number(offset));
      consumer.pause = (_topic, partition) => void paused.add(partition);
      run.onAssigned?.({
        [run.topics[0]!]: options.assigned ?? partitions.map((_, i) => i),
      });
      const loop = async () => {
        while (!consumer.stopped && fetches < 1_000) {
          fetches++;
          for (const [partition, spec] of partitions.entries()) {
            const from = positions[partition]!;
            const end = spec.records + (spec.markers?.length ?? 0);
            if (paused.has(partition) || from >= end) continue;
            const offsets = Array.from(
              { length: Math.min(batchSize, end - from) },
              (_, i) => from + i,
            );
            const data = offsets.filter((o) => !spec.markers?.includes(o));
            if (data.length === 0) {
              positions[partition] = offsets.at(-1)! + 1;
              run.onSkipped?.({
                topic: run.topics[0]!,
                partition,
                from: String(from),
                next: String(positions[partition]),
              });
              continue;
            }
            await run.onBatch(
              {
                topic: run.topics[0]!,
                partition,
                highWatermark: String(end),
                records: data.map((o) => record(o)),
              },
              {
                isActive: () => !consumer.stopped,
                keepAlive: () => undefined,
                commit: async (next, metadata) => {
                  commits.push({ partition, offset: next, metadata });
                  positions[partition] = Number(next);
                },
              },
            );
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      void loop();
    },
    pause: () => undefined,
    resume: () => undefined,
    seek: () => undefined,
    stop: async () => void (consumer.stopped = true),
  };
  const driver = {
    name: 'fake',
    consumer: () => consumer,
    producer: () => {
      throw new Error('not used');
    },
    admin: () => {
      throw new Error('not used');
    },
  } as KafkaDriver;
  return { driver, consumer, commits };
}

function record(offset: number): ConsumedRecord {
  return {
    key: null,
    value: Buffer.from(String(offset)),
    headers: {},
    offset: String(offset),
    timestamp: '0',
  };
}

async function readAll(
  driver: KafkaDriver,
  ranges: { partition: number; start: bigint; end: bigint }[],
  onBatch?: (batch: RangeBatch) => Promise<boolean | void>,
) {
  const read: string[] = [];
  await readRanges({
    kafka: driver,
    topic: 't',
    groupId: 'g',
    ranges,
    idleTimeoutMs: 1_000,
    onBatch: async (batch) => {
      for (const m of batch.messages) read.push(`${batch.partition}:${m.offset}`);
      return onBatch?.(batch);
    },
  });
  return read;
}

describe('readRanges', () => {
  it('reads every record in range over several batches, then stops, committing nothing', async () => {
    const { driver, consumer, commits } = fakeDriver([{ records: 8 }, { records: 2 }]);
    const read = await readAll(driver, [
      { partition: 0, start: 2n, end: 7n },
      { partition: 1, start: 0n, end: 2n },
    ]);
    expect(read.sort()).toEqual(['0:2', '0:3', '0:4', '0:5', '0:6', '1:0', '1:1']);
    expect(commits).toEqual([]);
    expect(consumer.stopped).toBe(true);
  });

  it('knows it reached the end when the last offsets are transaction markers', async () => {
    // Offsets 0-4 data, 5 a marker, 6-7 data, 8 a marker: the range ends at 9.
    const { driver } = fakeDriver([{ records: 7, markers: [5, 8] }], { batchSize: 1 });
    const read = await readAll(driver, [{ partition: 0, start: 0n, end: 9n }]);
    expect(read).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4', '0:6', '0:7']);
  });

  it('commits what the reader commits, with its metadata', async () => {
    const { driver, commits } = fakeDriver([{ records: 4 }], { batchSize: 2 });
    await readAll(driver, [{ partition: 0, start: 0n, end: 4n }], (batch) =>
      batch.commit(batch.next, `upto-${batch.next}`),
    );
    expect(commits).toEqual([
      { partition: 0, offset: '2', metadata: 'upto-2' },
      { partition: 0, offset: '4', metadata: 'upto-4' },
    ]);
  });

  it('stops everything when the reader says so', async () => {
    const { driver } = fakeDriver([{ records: 9 }], { batchSize: 2 });
    const read = await readAll(driver, [{ partition: 0, start: 0n, end: 9n }], async () => false);
    expect(read).toEqual(['0:0', '0:1']);
  });

  it('fails when another member of the group holds some of the partitions', async () => {
    const { driver } = fakeDriver([{ records: 1 }, { records: 1 }], { assigned: [0] });
    await expect(
      readAll(driver, [
        { partition: 0, start: 0n, end: 1n },
        { partition: 1, start: 0n, end: 1n },
      ]),
    ).rejects.toThrow(
      new ReadRangeError(
        'consumer group g has other members holding t partitions 1: is another troupe command running with it?',
      ),
    );
  });

  it('fails naming where each partition is when nothing advances', async () => {
    // The range says 5 records, the partition holds 3: reading waits, then gives up.
    const { driver } = fakeDriver([{ records: 3 }]);
    await expect(readAll(driver, [{ partition: 0, start: 0n, end: 5n }])).rejects.toThrow(
      'reading t: no progress for 1 s (partition 0 at 3 of 5)',
    );
  });
});
