import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SchemaRegistryClient } from '@troupe/kit';
import type { StackCertificates } from './certificates';
import type { KafkaSettings } from './kafka';
import { type RegistryAccount, writeRegistryUsers } from './registry-users';
import { freePort } from './ports';
import { ServerHandle, spawnServer } from './server-process';
import { ReadyWait, waitUntilReady } from './wait';

export interface StartedRegistry {
  server: ServerHandle;
  url: string;
  /**
   * A secured registry's client settings: the read-write user, its password as a file and the CA
   * (every secret a path, never a value), and the read-only account, kept out of the settings.
   */
  secured?: {
    settings: RegistryClientSettings;
    reader: RegistryAccount;
  };
}

/** What a client of a secured registry sets besides TROUPE_SCHEMA_REGISTRY_URL. */
export type RegistryClientSettings = Record<
  | 'TROUPE_SCHEMA_REGISTRY_USERNAME'
  | 'TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE'
  | 'TROUPE_SCHEMA_REGISTRY_CA_FILE',
  string
>;

/**
 * Troupe's own Confluent-compatible registry (@troupe/registry) as a separate process, storing
 * schemas in the stack's Kafka. Runs from TypeScript sources in a checkout, from dist/ when installed.
 */
function registryCommand(): { args: string[]; cwd: string; env: Record<string, string> } {
  const packageDir = path.dirname(require.resolve('@troupe/registry/package.json'));
  const source = path.join(packageDir, 'src', 'cli.ts');
  if (existsSync(source))
    // From sources, @troupe/kit resolves to its src/ too (the root tsconfig.json's paths), never a stale dist/.
    return {
      args: ['--import', 'tsx', source],
      cwd: packageDir,
      env: { TSX_TSCONFIG_PATH: path.join(packageDir, '..', '..', 'tsconfig.json') },
    };
  return { args: [path.join(packageDir, 'dist', 'cli.js')], cwd: packageDir, env: {} };
}

/**
 * Starts `troupe-registry` as a child process on a free port against the broker `kafka` names,
 * its log in `dir`; resolves once it answers. A secured broker's settings pass as they are: the
 * password only ever as TROUPE_KAFKA_SASL_PASSWORD_FILE, in the environment, never on a command line.
 */
export async function startRegistry(
  dir: string,
  kafka: KafkaSettings,
  detached: boolean,
  wait: ReadyWait,
  /** The compacted topic it keeps schemas in; the registry's default (`_schemas`) when omitted. */
  topic?: string,
  /**
   * The stack's CA and server certificate: the registry serves HTTPS with them and lets in only
   * the two accounts of a users file written in `dir` (registry-users.ts).
   */
  certificates?: StackCertificates,
): Promise<StartedRegistry> {
  const port = await freePort();
  const users = certificates ? writeRegistryUsers(path.join(dir, 'registry-users')) : undefined;
  const { args, cwd, env } = registryCommand();
  const server = spawnServer('schema-registry', process.execPath, args, {
    cwd,
    logFile: path.join(dir, 'registry.log'),
    detached,
    env: {
      ...env,
      ...kafka,
      TROUPE_REGISTRY_PORT: String(port),
      TROUPE_REGISTRY_HOST: '127.0.0.1',
      ...(topic ? { TROUPE_REGISTRY_TOPIC: topic } : {}),
      ...(certificates && users
        ? {
            TROUPE_REGISTRY_USERS_FILE: users.usersFile,
            TROUPE_REGISTRY_TLS_CERT_FILE: certificates.serverCertFile,
            TROUPE_REGISTRY_TLS_KEY_FILE: certificates.serverKeyFile,
          }
        : {}),
    },
  });
  const url = `${certificates ? 'https' : 'http'}://127.0.0.1:${port}`;
  // Asked as a client is: over TLS with the stack's CA, with the read-write user when secured.
  const client = new SchemaRegistryClient({
    url,
    timeoutMs: 1000,
    ...(certificates && users
      ? {
          username: users.writer.username,
          password: readFileSync(users.writer.passwordFile, 'utf8'),
          ca: readFileSync(certificates.caFile, 'utf8'),
        }
      : {}),
  });
  await waitUntilReady(
    server,
    async () => {
      await client.subjects();
    },
    wait,
  );
  if (!certificates || !users) return { server, url };
  return {
    server,
    url,
    secured: {
      settings: {
        TROUPE_SCHEMA_REGISTRY_USERNAME: users.writer.username,
        TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE: users.writer.passwordFile,
        TROUPE_SCHEMA_REGISTRY_CA_FILE: certificates.caFile,
      },
      reader: users.reader,
    },
  };
}
