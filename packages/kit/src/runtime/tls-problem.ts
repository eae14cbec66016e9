/**
 * A TLS failure of a client, in words that name the setting to fix: an untrusted certificate
 * (a private CA not given), one for another name, one not valid now. Shared by the dependency
 * probes (Kafka, Redis, PostgreSQL) and the registry client, so runService and the CLI say the same.
 */

/** Node's certificate verification codes, as tls.connect fails with them. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** TLS alerts a server sends when it refuses the client's certificate (mutual TLS; Java sends certificate_unknown). */
const REFUSED_CLIENT_CERTIFICATE = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
]);

/** Whose certificate a TLS failure is about, and the settings that fix it. */
export interface TlsPeer {
  server: string;
  caSetting: string;
  addressSetting: string;
  /** Where this client's own certificate is set, for servers that verify it (mutual TLS). */
  clientCertSetting?: string;
}

export const KAFKA_TLS: TlsPeer = {
  server: "the broker's",
  caSetting: 'TROUPE_KAFKA_SSL_CA_FILE',
  addressSetting: 'TROUPE_KAFKA_BROKERS',
  clientCertSetting: 'TROUPE_KAFKA_SSL_CERT_FILE',
};
export const REGISTRY_TLS: TlsPeer = {
  server: "the registry's",
  caSetting: 'TROUPE_SCHEMA_REGISTRY_CA_FILE',
  addressSetting: 'TROUPE_SCHEMA_REGISTRY_URL',
};

export const REDIS_TLS: TlsPeer = {
  server: "the Redis server's",
  caSetting: 'TROUPE_REDIS_TLS_CA_FILE',
  addressSetting: 'TROUPE_REDIS_URL',
};
export const POSTGRES_TLS: TlsPeer = {
  server: "the PostgreSQL server's",
  caSetting: 'TROUPE_DATABASE_SSL_CA_FILE',
  addressSetting: 'TROUPE_DATABASE_URL',
};

/** The reason for `error` (a tls or fetch cause with a `code`), or undefined when it is not about a certificate. */
export function certificateProblem(error: unknown, peer: TlsPeer = KAFKA_TLS): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const detail = typeof message === 'string' ? message : String(code);
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED_CERTIFICATE.has(code))
    return `${peer.server} TLS certificate is not trusted (${detail}): give the CA that signed it in ${peer.caSetting}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `${peer.server} TLS certificate does not name the address in ${peer.addressSetting} (${detail})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `${peer.server} TLS certificate is not valid now (${detail})`;
  if (peer.clientCertSetting && REFUSED_CLIENT_CERTIFICATE.has(code))
    return `the server refused this client's TLS certificate (${detail}): check ${peer.clientCertSetting} (signed by a CA the server trusts, not expired)`;
  return undefined;
}
