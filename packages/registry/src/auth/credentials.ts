import { createHash, timingSafeEqual } from 'node:crypto';
import type { RegistryUser } from './users-file';

/**
 * Checks HTTP basic credentials against the users file's accounts. Passwords are compared as
 * SHA-256 digests with timingSafeEqual, so neither a password's length nor where it first differs
 * shows in the time an answer takes; an unknown user is compared against a stand-in all the same.
 */
export class CredentialCheck {
  private readonly accounts = new Map<string, { digest: Buffer; user: RegistryUser }>();
  private readonly standIn = digest('\0no such user\0');

  constructor(users: readonly RegistryUser[]) {
    for (const user of users)
      this.accounts.set(user.username, { digest: digest(user.password), user });
  }

  /** The account an `Authorization` header proves, or undefined (no header, not Basic, wrong password). */
  verify(authorization: string | undefined): RegistryUser | undefined {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const account = this.accounts.get(decoded.slice(0, colon));
    const given = digest(decoded.slice(colon + 1));
    const matches = timingSafeEqual(given, account?.digest ?? this.standIn);
    return matches && account ? account.user : undefined;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
