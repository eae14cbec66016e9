import type { Pool, PoolClient } from 'pg';
import { checkOutClient, inTransaction } from '../src/pg';
import { pgPool, sleep, uniqueName } from './fixtures/dedup-support';

jest.setTimeout(30_000);

/** Ends `client`'s session from another connection, as a PostgreSQL restart or a reset would. */
async function terminateSession(pool: Pool, client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
}

describe('checked-out PostgreSQL clients', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = pgPool(4);
  });
  afterAll(() => pool.end());

  test('pg-pool leaves a checked-out client without an error listener; checkOutClient gives it one', async () => {
    // The cause: a connection error on this client would be an uncaught exception.
    const bare = await pool.connect();
    expect(bare.listenerCount('error')).toBe(0);
    bare.release();
    const guarded = await checkOutClient(pool);
    expect(guarded.listenerCount('error')).toBe(1);
    guarded.release();
    expect(guarded.listenerCount('error')).toBe(1); // back in the pool: pg-pool's own listener
  });

  test('a session that dies while checked out fails its next query and is destroyed on release', async () => {
    const client = await checkOutClient(pool);
    await terminateSession(pool, client);
    // Between two queries: the error arrives with nothing in flight and is kept, not thrown (thrown,
    // it would fail this test as an uncaught exception).
    await sleep(300);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    const before = pool.totalCount;
    client.release(); // the caller passes nothing: the kept error still destroys it
    expect(pool.totalCount).toBe(before - 1);
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  test('inTransaction commits what work did, rolls back and rethrows what it threw', async () => {
    const table = uniqueName('tx_table');
    await pool.query(`CREATE TABLE ${table} (n int)`);
    try {
      await expect(
        inTransaction(pool, async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES (1)`);
          return 'done';
        }),
      ).resolves.toBe('done');
      await expect(
        inTransaction(pool, async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES (2)`);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const { rows } = await pool.query<{ n: number }>(`SELECT n FROM ${table}`);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await pool.query(`DROP TABLE ${table}`);
    }
  });

  test('inTransaction survives its session ending mid-transaction: the error is its result', async () => {
    await expect(
      inTransaction(pool, async (tx) => {
        await terminateSession(pool, tx);
        await sleep(300);
        await tx.query('SELECT 1');
      }),
    ).rejects.toThrow();
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });
});
