import type { CliContext } from '../context';
import { isInternalTopic, type KafkaSession } from '../kafka/client';
import { formatTable } from '../shared/table';
import { describeTopics } from './cluster-state';

export interface ListOptions {
  /** Include internal topics (`__consumer_offsets`, `_schemas`). */
  all: boolean;
  prefix?: string;
  json: boolean;
}

/**
 * `troupe topics list`: every topic with its partitions, replication factor, the fewest in-sync
 * replicas of any of its partitions, its min.insync.replicas (below which acks=all writes are
 * refused) and the configs set on it.
 */
export async function printTopicList(
  session: KafkaSession,
  options: ListOptions,
  context: CliContext,
): Promise<void> {
  const names = (await session.admin.listTopics())
    .filter((name) => options.all || !isInternalTopic(name))
    .filter((name) => options.prefix === undefined || name.startsWith(options.prefix))
    .sort();
  const topics = await describeTopics(session.admin, names);
  if (options.json) {
    for (const t of topics)
      context.out(
        JSON.stringify({
          name: t.name,
          partitions: t.partitions,
          replicationFactor: t.replicationFactor,
          inSyncReplicas: t.inSyncReplicas,
          minInSyncReplicas: minInSync(t.config),
          config: t.overrides,
        }),
      );
    return;
  }
  if (topics.length === 0) {
    context.out(
      `no topics${options.prefix === undefined ? '' : ` starting with ${options.prefix}`}`,
    );
    return;
  }
  const rows = topics.map((t) => [
    t.name,
    String(t.partitions),
    String(t.replicationFactor),
    String(t.inSyncReplicas),
    String(minInSync(t.config) ?? '-'),
    Object.entries(t.overrides)
      .map(([name, value]) => `${name}=${value}`)
      .join(' '),
  ]);
  for (const line of formatTable(
    ['TOPIC', 'PARTITIONS', 'REPLICAS', 'IN-SYNC', 'MIN-IN-SYNC', 'CONFIG'],
    rows,
  ))
    context.out(line);
}

/** The topic's min.insync.replicas as the broker reports it (its own or the broker default). */
function minInSync(config: Record<string, string>): number | undefined {
  const value = config['min.insync.replicas'];
  return value === undefined ? undefined : Number(value);
}
