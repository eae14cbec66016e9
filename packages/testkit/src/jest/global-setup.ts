// Placeholder until the stack selection lands: uses the TROUPE_* variables already in the environment.
export default async function globalSetup(): Promise<void> {
  for (const name of ['TROUPE_KAFKA_BROKERS', 'TROUPE_REDIS_URL', 'TROUPE_DATABASE_URL']) {
    if (!process.env[name]) throw new Error(`${name} is not set`);
  }
}
