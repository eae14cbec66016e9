import { KafkaTools, prepareKafka } from './kafka';
import { kafkaRelease } from './kafka-release';
import { PostgresTools } from './postgres';
import { postgresAccount, postgresBinDir, requireTool } from './prerequisites';

/** Everything the stack's servers run on. */
export interface StackTools {
  kafka: KafkaTools;
  redisServer: string;
  postgres: PostgresTools;
}

/**
 * Finds every tool and resolves Kafka's classpath before any server is spawned, so a missing one
 * fails with its own line and leaves nothing to clean up. Instant checks come first (the
 * TROUPE_KAFKA_VERSION setting before them: it says which classpath is wanted); the classpath
 * last, as the first run downloads it from Maven Central (which needs mvn).
 */
export async function findStackTools(
  log: (line: string) => void = () => undefined,
): Promise<StackTools> {
  const release = kafkaRelease(process.env);
  const redisServer = requireTool('redis-server');
  const postgres = { bin: postgresBinDir(), account: postgresAccount() };
  // A cached classpath does not need java to be resolved, but Kafka needs it to run.
  const java = requireTool('java');
  const libDir = await prepareKafka(release, log);
  return { kafka: { java, release, libDir }, redisServer, postgres };
}
