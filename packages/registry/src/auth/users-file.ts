/**
 * The users file of TROUPE_REGISTRY_USERS_FILE, in the format Confluent Schema Registry's basic
 * authentication reads (JAAS PropertyFileLoginModule, a Java properties file): one
 * `<user>: <password>,<role>[,<role>…]` per line, `#` or `!` starting a comment. Roles are
 * `read-only` and `read-write`. Passwords are given as they are: Jetty's hashed or obfuscated
 * forms (MD5:, CRYPT:, OBF:) are refused rather than taken literally, which would let the hash
 * itself in as the password.
 */

export const REGISTRY_ROLES = ['read-only', 'read-write'] as const;
/** What an account may do: `read-only` every read, `read-write` also register, configure and delete. */
export type RegistryRole = (typeof REGISTRY_ROLES)[number];

/** One account: what it may do is its role (read-write also reads). */
export interface RegistryUser {
  readonly username: string;
  readonly password: string;
  readonly role: RegistryRole;
}

/** A line of the file that is not an account; the message has the line number, never a password. */
export class UsersFileError extends Error {
  constructor(
    readonly line: number | undefined,
    problem: string,
  ) {
    super(line === undefined ? problem : `line ${line}: ${problem}`);
    this.name = 'UsersFileError';
  }
}

const FORM = 'expected <user>: <password>,<role> with role read-only or read-write';

/** The accounts in `text`; throws a UsersFileError for the first line that is not one. */
export function parseUsersFile(text: string): RegistryUser[] {
  const users: RegistryUser[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    // Java properties: the key ends at the first unescaped ':' or '='.
    const match = /^([^:=\s]+)\s*[:=]\s*(.*)$/.exec(line);
    if (!match) throw new UsersFileError(lineNumber, `not an account (${FORM})`);
    const username = match[1]!;
    const [password = '', ...roles] = match[2]!.split(',').map((part) => part.trim());
    if (password === '') throw new UsersFileError(lineNumber, `user ${username} has no password`);
    if (/^(MD5|CRYPT|OBF):/.test(password))
      throw new UsersFileError(
        lineNumber,
        `user ${username}: hashed or obfuscated passwords (MD5:, CRYPT:, OBF:) are not supported; give the password itself`,
      );
    if (roles.length === 0 || roles.some((role) => role === ''))
      throw new UsersFileError(lineNumber, `user ${username} has no role (${FORM})`);
    const unknown = roles.find((role) => !(REGISTRY_ROLES as readonly string[]).includes(role));
    if (unknown !== undefined)
      throw new UsersFileError(
        lineNumber,
        // Never quoted: with a comma in a password, part of it would be taken for a role.
        `user ${username} has a role that is neither read-only nor read-write (a password cannot hold a comma)`,
      );
    if (seen.has(username))
      throw new UsersFileError(lineNumber, `user ${username} is listed a second time`);
    seen.add(username);
    users.push({
      username,
      password,
      role: roles.includes('read-write') ? 'read-write' : 'read-only',
    });
  });
  if (users.length === 0) throw new UsersFileError(undefined, 'no accounts in it');
  return users;
}
