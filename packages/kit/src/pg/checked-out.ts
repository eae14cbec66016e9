import type { Pool, PoolClient } from 'pg';

/**
 * Checks a client out of `pool` and guards its connection for as long as it is held.
 *
 * pg-pool listens for a client's 'error' only while the client is idle in the pool. A connection
 * that breaks while the client is checked out (PostgreSQL restarted, a reset on the network, a
 * server-side timeout) emits 'error' with nobody listening: an uncaught exception that ends the
 * process, even between two queries. Here the error is kept instead; the query in flight (or the
 * next one) fails as it would anyway, and `release()` destroys the client rather than returning a
 * dead connection to the pool, whether or not the caller passes the error.
 */
export async function checkOutClient(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const keep = (error: Error): void => {
    broken ??= error;
  };
  client.on('error', keep);
  // pg-pool gives the client a fresh release() at every checkout, so this wrapper lives only as long
  // as this checkout does.
  const release = client.release.bind(client);
  client.release = (destroy?: Error | boolean) => {
    client.removeListener('error', keep);
    release(destroy || broken);
  };
  return client;
}
