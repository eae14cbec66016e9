import { ConfigError, registryClientFromConfig, type SchemaRegistryClient } from '@troupe/kit';
import { loadSchemaRegistrySettings } from '@troupe/kit/internal';

/**
 * What a command needs from the outside world, passed in rather than taken from globals so
 * tests can run the CLI in process and read what it printed.
 */
export interface CliContext {
  /** One line of normal output (no trailing newline). */
  out(line: string): void;
  /** One line of diagnostics. */
  err(line: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * A failure the command already explained: `run` prints its message as the one line and exits
 * with `exitCode`, without a stack trace.
 */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

export const REGISTRY_URL_VARIABLE = 'TROUPE_SCHEMA_REGISTRY_URL';

/** The schema registry URL from `--registry`, else TROUPE_SCHEMA_REGISTRY_URL. */
export function registryUrl(flag: string | undefined, context: CliContext): string {
  const url = flag ?? context.env[REGISTRY_URL_VARIABLE];
  if (!url)
    throw new ConfigError(
      REGISTRY_URL_VARIABLE,
      'the schema registry URL (or pass --registry <url>)',
    );
  return url;
}

/**
 * The registry client every command uses: the URL from `--registry`, else TROUPE_SCHEMA_REGISTRY_URL,
 * and the rest of TROUPE_SCHEMA_REGISTRY_* (user, password or _PASSWORD_FILE, CA file) read as
 * services read them, so the CLI reaches a secured registry exactly as they do.
 */
export function registryClient(
  flag: string | undefined,
  context: CliContext,
  timeoutMs: number,
): SchemaRegistryClient {
  const url = registryUrl(flag, context);
  const settings = loadSchemaRegistrySettings({ ...context.env, [REGISTRY_URL_VARIABLE]: url });
  return registryClientFromConfig({ schemaRegistry: settings }, { timeoutMs });
}
