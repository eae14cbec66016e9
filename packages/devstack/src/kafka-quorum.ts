import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isKafkaNode, kafkaServerName } from './kafka';
import type { LocalStack } from './stack';
import { UsageError } from './errors';

/**
 * The server name of a stack's active KRaft controller (`kafka-2`), as the quorum itself records
 * it: every node keeps the leader it last knew, and its epoch, in its metadata log's
 * `quorum-state` file; the newest epoch's leader is the active controller. A fault test kills it
 * to see the quorum elect another. (The Admin API's DescribeQuorum says the same, but neither
 * kafkajs nor @platformatic/kafka's admin asks it.)
 */
export function activeController(stack: Pick<LocalStack, 'servers'>): string {
  let newest: { epoch: number; leader: number } | undefined;
  for (const server of stack.servers.filter((s) => isKafkaNode(s.name))) {
    const properties = server.launch.args.at(-1) ?? '';
    const file = path.join(
      path.dirname(properties),
      'logs',
      '__cluster_metadata-0',
      'quorum-state',
    );
    if (!existsSync(file)) continue;
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      leaderId?: number;
      leaderEpoch?: number;
    };
    if (state.leaderId === undefined || state.leaderId < 0 || state.leaderEpoch === undefined)
      continue;
    if (!newest || state.leaderEpoch > newest.epoch)
      newest = { epoch: state.leaderEpoch, leader: state.leaderId };
  }
  if (!newest) throw new UsageError('no Kafka node of this stack has recorded a quorum leader');
  return kafkaServerName(newest.leader, stack.servers.filter((s) => isKafkaNode(s.name)).length);
}
