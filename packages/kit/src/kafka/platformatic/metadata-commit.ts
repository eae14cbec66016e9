import {
  kGetApi,
  kGetConnection,
  type API,
  type Connection,
  type Consumer,
  type consumerGroupDescribeV0,
  type offsetCommitV9,
} from '@platformatic/kafka';
import type { GroupProtocol } from './group-protocol';

type OffsetCommitApi = API<offsetCommitV9.OffsetCommitRequest, offsetCommitV9.OffsetCommitResponse>;
type DescribeApi = API<
  consumerGroupDescribeV0.ConsumerGroupDescribeRequest,
  consumerGroupDescribeV0.ConsumerGroupDescribeResponse
>;

export interface MetadataCommit {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
}

/**
 * Commits an offset with metadata as this member of its group. The library's commit always sends
 * null metadata, and Troupe's CLI keeps a DLQ redrive's progress in it, so this sends the
 * OffsetCommit request itself, on the library's connection to the group coordinator. The member's
 * generation (classic) is public; its KIP-848 member epoch is not, so it is read from the
 * coordinator (ConsumerGroupDescribe) first: a heartbeat that moves the epoch in between makes the
 * commit fail with STALE_MEMBER_EPOCH, which the caller sees as a refused commit.
 */
export async function commitWithMetadata(
  consumer: Consumer,
  protocol: GroupProtocol,
  commit: MetadataCommit,
): Promise<void> {
  const connection = await coordinatorConnection(consumer, commit.topic);
  const memberId = consumer.memberId ?? '';
  const epoch =
    protocol === 'classic'
      ? consumer.generationId
      : await memberEpoch(consumer, connection, memberId);
  const offsetCommit = await apiOf<OffsetCommitApi>(consumer, 'OffsetCommit');
  await offsetCommit.async(
    connection,
    consumer.groupId,
    epoch,
    memberId,
    consumer.groupInstanceId,
    [
      {
        name: commit.topic,
        partitions: [
          {
            partitionIndex: commit.partition,
            committedOffset: commit.offset,
            committedLeaderEpoch: commit.leaderEpoch,
            committedMetadata: commit.metadata,
          },
        ],
      },
    ],
  );
}

async function memberEpoch(
  consumer: Consumer,
  connection: Connection,
  memberId: string,
): Promise<number> {
  const describe = await apiOf<DescribeApi>(consumer, 'ConsumerGroupDescribe');
  const { groups } = await describe.async(connection, [consumer.groupId], false);
  const member = groups[0]?.members.find((m) => m.memberId === memberId);
  if (!member) throw new Error(`member ${memberId} is not in group ${consumer.groupId}`);
  return member.memberEpoch;
}

async function coordinatorConnection(consumer: Consumer, topic: string): Promise<Connection> {
  const coordinator = await consumer.findGroupCoordinator();
  const metadata = await consumer.metadata({ topics: [topic] });
  const broker = metadata.brokers.get(coordinator);
  if (!broker) throw new Error(`group coordinator ${coordinator} is not in the cluster metadata`);
  return new Promise((resolve, reject) =>
    consumer[kGetConnection](broker, (error, connection) =>
      error ? reject(error) : resolve(connection!),
    ),
  );
}

function apiOf<T>(consumer: Consumer, name: string): Promise<T> {
  return new Promise((resolve, reject) =>
    consumer[kGetApi](name, (error, api) => (error ? reject(error) : resolve(api as T))),
  );
}
