import { publishIsolatingFailures } from './failure-isolation';

/** A fake broker: refuses any send that contains a refused row; records what it accepted. */
function broker(refused: Set<string>) {
  const accepted: string[] = [];
  const sends: string[][] = [];
  const send = async (rows: string[]): Promise<void> => {
    sends.push(rows);
    const bad = rows.find((row) => refused.has(row));
    if (bad) throw new Error(`refused ${bad}`);
    accepted.push(...rows);
  };
  return { accepted, sends, send };
}

const runs = (spec: Record<string, number>): string[][] =>
  Object.entries(spec).map(([key, n]) => Array.from({ length: n }, (_, i) => `${key}${i}`));

describe('publishIsolatingFailures', () => {
  test('a batch Kafka accepts goes in one send', async () => {
    const kafka = broker(new Set());
    const outcome = await publishIsolatingFailures(runs({ A: 3, B: 2 }), kafka.send);
    expect(kafka.sends).toEqual([['A0', 'A1', 'A2', 'B0', 'B1']]);
    expect(outcome).toEqual({ published: ['A0', 'A1', 'A2', 'B0', 'B1'], failed: [] });
  });

  test('a refused head fails only its aggregate: the others go, its later rows are never tried', async () => {
    const kafka = broker(new Set(['A0']));
    const outcome = await publishIsolatingFailures(runs({ A: 6, B: 3, C: 2 }), kafka.send);
    expect(outcome.failed.map((f) => [f.row, f.error.message])).toEqual([['A0', 'refused A0']]);
    expect([...outcome.published].sort()).toEqual(['B0', 'B1', 'B2', 'C0', 'C1']);
    expect(kafka.accepted.filter((row) => row.startsWith('A'))).toEqual([]);
  });

  test('a refused row in the middle of a run: the rows before it go, in order; the rows after it wait', async () => {
    const kafka = broker(new Set(['A3']));
    const outcome = await publishIsolatingFailures(runs({ A: 8 }), kafka.send);
    expect(outcome.published).toEqual(['A0', 'A1', 'A2']);
    expect(outcome.failed.map((f) => f.row)).toEqual(['A3']);
    expect(kafka.accepted).toEqual(['A0', 'A1', 'A2']);
  });

  test('several stuck aggregates are each found, and only their first refused row is reported', async () => {
    const kafka = broker(new Set(['B1', 'B2', 'D0']));
    const outcome = await publishIsolatingFailures(runs({ A: 2, B: 4, C: 1, D: 3 }), kafka.send);
    expect(outcome.failed.map((f) => f.row).sort()).toEqual(['B1', 'D0']);
    expect([...outcome.published].sort()).toEqual(['A0', 'A1', 'B0', 'C0']);
  });

  test('a batch refused only as a whole (too large together) still goes, in smaller sends', async () => {
    const accepted: string[] = [];
    const send = async (rows: string[]): Promise<void> => {
      if (rows.length > 2) throw new Error('batch too large');
      accepted.push(...rows);
    };
    const outcome = await publishIsolatingFailures(runs({ A: 5 }), send);
    expect(outcome).toEqual({ published: ['A0', 'A1', 'A2', 'A3', 'A4'], failed: [] });
    expect(accepted).toEqual(['A0', 'A1', 'A2', 'A3', 'A4']);
  });

  test('when everything fails (broker down), each aggregate reports its head', async () => {
    const send = async (): Promise<void> => {
      throw new Error('broker down');
    };
    const outcome = await publishIsolatingFailures(runs({ A: 3, B: 1 }), send);
    expect(outcome.published).toEqual([]);
    expect(outcome.failed.map((f) => f.row).sort()).toEqual(['A0', 'B0']);
  });

  test("out of time, a failed part is not split further: each run reports its head with the part's error", async () => {
    const kafka = broker(new Set(['B0']));
    let sends = 0;
    const outcome = await publishIsolatingFailures(
      runs({ A: 2, B: 2, C: 1 }),
      async (rows) => {
        sends += 1;
        await kafka.send(rows);
      },
      () => false,
    );
    expect(sends).toBe(1);
    expect(outcome.published).toEqual([]);
    expect(outcome.failed.map((f) => [f.row, f.error.message])).toEqual([
      ['A0', 'refused B0'],
      ['B0', 'refused B0'],
      ['C0', 'refused B0'],
    ]);
  });

  test('one refused row among 500 is found in about 2·log2(500) sends, not 500', async () => {
    const kafka = broker(new Set(['K250']));
    const batch = Array.from({ length: 500 }, (_, i) => [`K${i}`]);
    const outcome = await publishIsolatingFailures(batch, kafka.send);
    expect(outcome.failed.map((f) => f.row)).toEqual(['K250']);
    expect(outcome.published).toHaveLength(499);
    expect(kafka.sends.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(500)));
  });
});
