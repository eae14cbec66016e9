import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';

/** Environment variables by name, as `process.env` holds them. */
export type Environment = Record<string, string | undefined>;

/**
 * Reads one variable, or its `<NAME>_FILE` variant: a path whose contents are the value
 * (how Docker and Kubernetes secrets are mounted). Setting both is ambiguous and rejected.
 * A trailing newline in the file is dropped, since editors and `echo` add one.
 */
export function readVariable(env: Environment, name: string): string | undefined {
  const direct = env[name];
  const filePath = env[`${name}_FILE`];
  if (filePath === undefined || filePath === '') return direct === '' ? undefined : direct;
  if (direct !== undefined && direct !== '') {
    throw new ConfigError(name, `either ${name} or ${name}_FILE, not both`, 'both set');
  }
  try {
    return readFileSync(filePath, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${name}_FILE`, 'a path to a readable file', `${filePath} (${reason})`);
  }
}
