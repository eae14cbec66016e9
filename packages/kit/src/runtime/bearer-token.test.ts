import { expiredBearerToken } from './bearer-token';

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${part({ alg: 'RS256' })}.${part(claims)}.c2lnbmF0dXJl`;
const now = new Date('2026-12-03T12:00:00Z');
const at = (iso: string) => Date.parse(iso) / 1000;

describe('expiredBearerToken', () => {
  it('names the expiry of a JWT whose exp has passed, never the token', () => {
    const token = jwt({ sub: 'svc', exp: at('2026-12-03T11:00:00Z') });
    const reason = expiredBearerToken(token, now);
    expect(reason).toBe(
      'the OAuth bearer token in TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE expired at 2026-12-03T11:00:00.000Z: renew it',
    );
    expect(reason).not.toContain(token.split('.')[1]);
  });

  it('says nothing of a valid JWT, one without exp, or a token that is not a JWT', () => {
    expect(expiredBearerToken(jwt({ exp: at('2026-12-03T13:00:00Z') }), now)).toBeUndefined();
    expect(expiredBearerToken(jwt({ sub: 'svc' }), now)).toBeUndefined();
    expect(expiredBearerToken('opaque-token', now)).toBeUndefined();
    expect(expiredBearerToken('a.!!!not-base64-json.c', now)).toBeUndefined();
    expect(expiredBearerToken(`x.${part({ exp: 'soon' })}.y`, now)).toBeUndefined();
  });
});
