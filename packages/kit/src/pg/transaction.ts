import type { Pool, PoolClient } from 'pg';
import { checkOutClient } from './checked-out';

/**
 * Runs `work` between BEGIN and COMMIT on one client of `pool` and returns what it returns. If
 * `work` or the COMMIT throws, the transaction is rolled back and the error rethrown. The client
 * goes back to the pool unless its connection broke, in which case it is destroyed (checkOutClient).
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (tx: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await checkOutClient(pool);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
