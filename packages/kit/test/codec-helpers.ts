import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

export const SCHEMAS_DIR = path.resolve(__dirname, '../../../schemas');

/** The registry the integration stack started (or the one named in the environment). */
export function registryUrlFromEnv(): string {
  const url = process.env.TROUPE_SCHEMA_REGISTRY_URL;
  if (!url)
    throw new Error(
      'TROUPE_SCHEMA_REGISTRY_URL is not set: run through the integration project (jest globalSetup)',
    );
  return url;
}

/** A topic name no other test (or earlier run) uses, so its subjects are fresh in a shared registry. */
export function uniqueTopic(base: string): string {
  return `codec-${base}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Runs `action` and returns what it threw (or fails the test if it did not throw). */
export async function thrownBy(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the action to throw');
}
