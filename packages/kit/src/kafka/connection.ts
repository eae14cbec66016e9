import type { Logger } from 'pino';
import type { KafkaDriverName } from './driver-names';

/**
 * Where and how to reach the cluster: the one set of connection settings every part of Troupe
 * uses (services, relays, CLI, registry, testkit), read from TROUPE_KAFKA_* by loadConfig.
 */
export interface KafkaConnection {
  /** The client library Troupe talks through (TROUPE_KAFKA_DRIVER). Default kafkajs. */
  driver?: KafkaDriverName;
  brokers: string[];
  clientId?: string;
  /** TLS towards the brokers, or `false` for plaintext (TROUPE_KAFKA_SSL and the TLS file settings). */
  ssl: false | KafkaTls;
  sasl?: KafkaSasl;
}

/**
 * How a client authenticates (TROUPE_KAFKA_SASL_MECHANISM and its settings): a user and password (PLAIN, SCRAM), or an
 * OAuth bearer token that `token` yields afresh at every authentication, so a token rotated
 * under the client (a file a sidecar or Kubernetes renews) is picked up on the next connection.
 */
export type KafkaSasl =
  | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  | { mechanism: 'oauthbearer'; token: () => Promise<string> };

/**
 * How a client speaks TLS to the brokers: PEM texts (read from the paths in TROUPE_KAFKA_SSL_CA_FILE, _CERT_FILE and _KEY_FILE
 * at config load), as Node's `tls.connect` takes them. Without `ca` the system's CAs (and
 * NODE_EXTRA_CA_CERTS) are trusted; `cert` and `key` come together (mutual TLS). `key` is secret
 * material: the logger redacts `kafka.ssl.key`, and no error quotes it.
 */
export interface KafkaTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** Refuse a broker whose certificate does not verify against the trusted CAs. Default true. */
  rejectUnauthorized: boolean;
}

/** How a driver behaves towards the cluster, beyond where it is. */
export interface DriverOptions {
  /** Names this client in the broker's logs and quotas, unless the connection sets clientId. */
  clientId: string;
  /** Warnings and errors of the client library, through pino. */
  logger?: Logger;
  /** Per connection attempt. Default 5 s. */
  connectionTimeoutMs?: number;
  /** Per request. Default 30 s. */
  requestTimeoutMs?: number;
  /**
   * Retries of a failed connection or request before the call fails. Default: the client
   * library's own (kafkajs: 5, backing off to 30 s). A command-line tool sets few, to fail fast
   * (kafkajs then warns, through the logger if one is given, that an idempotent producer with
   * limited retries weakens its guarantees).
   */
  retries?: number;
}
