import { randomBytes } from 'node:crypto';

/**
 * A consumer group used once, for reading without committing: no offsets are ever committed
 * in it, so the broker forgets it as soon as the reader leaves.
 */
export function throwawayGroup(purpose: string): string {
  return `troupe-cli-${purpose}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
