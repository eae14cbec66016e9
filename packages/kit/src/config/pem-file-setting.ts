import { ConfigError } from '../errors';
import type { Environment } from './env-source';
import { pemFile } from './service-config';

/**
 * One PEM file setting outside the kit's own table (the registry's TLS certificate and key), read
 * exactly as TROUPE_KAFKA_SSL_CA_FILE is: the value is a path, the result the file's text, or
 * undefined when unset. A missing or unreadable file, or one without a `-----BEGIN …<label>-----`
 * block, is a ConfigError naming `name`, the path and the problem; the contents are never quoted.
 */
export function readPemFileSetting(
  env: Environment,
  name: string,
  label: 'CERTIFICATE' | 'PRIVATE KEY',
  expected: string,
): string | undefined {
  const result = pemFile(label).safeParse(env[name]?.trim() || undefined);
  if (!result.success) throw new ConfigError(name, expected, result.error.issues[0]?.message);
  return result.data;
}
