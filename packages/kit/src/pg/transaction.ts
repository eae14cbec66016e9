import type { Pool, PoolClient } from 'pg';
import { checkOutClient } from './checked-out';

/**
 * Runs `work` between BEGIN and COMMIT on one client of `pool` and returns what it returns. If
 * `work` or the COMMIT throws, the transaction is rolled back and the error rethrown. The client
 * goes back to the pool only if its connection is known good: a ROLLBACK that fails (the
 * connection broke, or a query timed out on a silent one, which pg leaves looking healthy)
 * destroys it, and so does a connection error kept by checkOutClient.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (tx: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await checkOutClient(pool);
  let result: T;
  try {
    await client.query('BEGIN');
    result = await work(client);
    await client.query('COMMIT');
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
  client.release();
  return result;
}
