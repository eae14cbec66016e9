/**
 * Why a bearer token would be refused, told from the token itself: a JWT's `exp` (seconds since
 * the epoch) at or before `now`. Undefined for a token that is not a JWT, has no `exp`, or has
 * not expired: the broker's verdict on anything else is its own. Never returns the token.
 */
export function expiredBearerToken(token: string, now: Date = new Date()): string | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const exp = (claims as { exp?: unknown } | null)?.exp;
  if (typeof exp !== 'number' || exp * 1000 > now.getTime()) return undefined;
  return `the OAuth bearer token in TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE expired at ${new Date(exp * 1000).toISOString()}: renew it`;
}
