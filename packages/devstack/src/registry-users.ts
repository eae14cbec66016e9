import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The read-write account of a secured stack's registry: what TROUPE_SCHEMA_REGISTRY_USERNAME names. */
export const REGISTRY_WRITER = 'troupe';
/** The read-only account, for tests that check what a reader may not do; never in the printed settings. */
export const REGISTRY_READER = 'troupe-reader';

/** One registry account: the user name and the file holding its password (0600). */
export interface RegistryAccount {
  username: string;
  passwordFile: string;
}

/** A secured registry's users file and its two accounts. */
export interface RegistryUsers {
  /** TROUPE_REGISTRY_USERS_FILE: Confluent's password-file format, 0600. */
  usersFile: string;
  writer: RegistryAccount;
  reader: RegistryAccount;
}

/**
 * Writes, in `dir` (made 0700), a users file with a read-write and a read-only account with
 * random passwords (base64url: no comma, colon or line break to trip the format), and each password
 * alone in its own 0600 file, which is how clients are given it (TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE).
 */
export function writeRegistryUsers(dir: string): RegistryUsers {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const account = (username: string, role: string) => {
    const password = randomBytes(18).toString('base64url');
    const passwordFile = path.join(dir, `${username}.password`);
    writeFileSync(passwordFile, password, { mode: 0o600 });
    return { account: { username, passwordFile }, line: `${username}: ${password},${role}\n` };
  };
  const writer = account(REGISTRY_WRITER, 'read-write');
  const reader = account(REGISTRY_READER, 'read-only');
  const usersFile = path.join(dir, 'users.properties');
  writeFileSync(
    usersFile,
    `# troupe-registry users of this stack (made per run)\n${writer.line}${reader.line}`,
    { mode: 0o600 },
  );
  return { usersFile, writer: writer.account, reader: reader.account };
}
