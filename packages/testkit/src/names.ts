import { randomBytes } from 'node:crypto';

/** A topic, group or key prefix no other test (or earlier run) uses, so tests can run in parallel. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
