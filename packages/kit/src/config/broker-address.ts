/**
 * `host:port` or `[ipv6]:port`. The host may contain `_`: RFC 1123 host names may not, but DNS
 * names may (RFC 2181), and the names Docker and Compose resolve often do (`project_kafka_1`,
 * a service or network name with `_`). A name that does not resolve fails at connect with the
 * broker's name in the error; this check only catches what is not an address at all.
 */
const BROKER_ADDRESS = /^[A-Za-z0-9._-]+:(\d{1,5})$|^\[[0-9A-Fa-f:]+\]:(\d{1,5})$/;

/** One Kafka broker address, `host:port` or `[ipv6]:port`, port 1-65535. */
export function isBrokerAddress(text: string): boolean {
  const match = BROKER_ADDRESS.exec(text);
  if (!match) return false;
  const port = Number(match[1] ?? match[2]);
  return port >= 1 && port <= 65535;
}
