import { SettingError } from './errors';

/**
 * How a Kafka line logs. 3.x logs through slf4j 1.7 + reload4j and reads a log4j 1 properties
 * file; 4.x moved to log4j2 (KIP-653), which reads its own configuration format.
 */
export type KafkaLogging = 'log4j' | 'log4j2';

/** A Kafka broker the devstack can run: what it resolves from Maven Central and how it logs. */
export interface KafkaRelease {
  /** The short name TROUPE_KAFKA_VERSION accepts: major.minor. */
  line: string;
  /** The exact kafka_2.13 version resolved; it also names the cache folder (kafka-<version>). */
  version: string;
  /** The pom, under packages/devstack/kafka/, that resolves this line's classpath. */
  pom: string;
  logging: KafkaLogging;
}

export const KAFKA_VERSION_SETTING = 'TROUPE_KAFKA_VERSION';

/**
 * The brokers the suite has been run against, the default first. Other 4.x versions would very
 * likely work with the same pom, but only these were tested, so only these are offered.
 */
export const KAFKA_RELEASES = [
  { line: '4.4', version: '4.4.0', pom: '4.x/pom.xml', logging: 'log4j2' },
  { line: '3.9', version: '3.9.1', pom: '3.x/pom.xml', logging: 'log4j' },
] as const satisfies readonly KafkaRelease[];

/** The broker the devstack runs when TROUPE_KAFKA_VERSION is unset: the first of KAFKA_RELEASES. */
export const DEFAULT_KAFKA_RELEASE: KafkaRelease = KAFKA_RELEASES[0];

/** "4.4 or 4.4.0 (the default), 3.9 or 3.9.1": what the error tells someone to write instead. */
function acceptedValues(): string {
  return KAFKA_RELEASES.map(
    (release) =>
      `${release.line} or ${release.version}${release === DEFAULT_KAFKA_RELEASE ? ' (the default)' : ''}`,
  ).join(', ');
}

/**
 * The broker TROUPE_KAFKA_VERSION selects, by its short (`4.4`) or full (`4.4.0`) version; unset
 * or empty selects the default. Anything else is refused rather than guessed at.
 */
export function kafkaRelease(env: NodeJS.ProcessEnv = process.env): KafkaRelease {
  const value = env[KAFKA_VERSION_SETTING]?.trim();
  if (!value) return DEFAULT_KAFKA_RELEASE;
  const release = KAFKA_RELEASES.find((r) => r.line === value || r.version === value);
  if (!release) throw new SettingError(KAFKA_VERSION_SETTING, value, acceptedValues());
  return release;
}
