import { FindCoordinatorKeyTypes, consumerGroupDescribeV0, type Admin } from '@platformatic/kafka';
import type { GroupDescription } from '../admin';

type ConsumerGroupDescribeResponse = consumerGroupDescribeV0.ConsumerGroupDescribeResponse;

/**
 * Groups of KIP-848's consumer protocol (what the platformatic consumer speaks on Kafka 4), as
 * ConsumerGroupDescribe reports them. The classic DescribeGroups, the only one the library's
 * Admin sends, answers "Dead" without members for such a group, as for one that does not exist;
 * the library has the request (consumerGroupDescribeV0) but no admin method for it.
 *
 * Resolves with the groups the coordinators know as consumer groups, leaving out the others
 * (unknown or classic groups, or all of them when a broker does not have the request).
 */
export async function describeConsumerGroups(
  admin: Admin,
  groupIds: readonly string[],
): Promise<GroupDescription[]> {
  const coordinators = await admin.findCoordinator({
    keyType: FindCoordinatorKeyTypes.GROUP,
    keys: [...groupIds],
  });
  const byBroker = new Map<string, { host: string; port: number; groupIds: string[] }>();
  for (const { key, host, port } of coordinators) {
    const broker = byBroker.get(`${host}:${port}`) ?? { host, port, groupIds: [] };
    broker.groupIds.push(key);
    byBroker.set(`${host}:${port}`, broker);
  }
  const answers = await Promise.all(
    [...byBroker.values()].map(async ({ host, port, groupIds: ids }) => {
      const connection = await admin.connections.get({ host, port });
      return consumerGroupDescribeV0.api.async(connection, ids, false).catch(partialResponse);
    }),
  );
  return answers.flatMap((answer) =>
    (answer?.groups ?? [])
      .filter((group) => group.errorCode === 0)
      .map((group) => ({
        groupId: group.groupId,
        state: group.groupState,
        members: group.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          host: m.clientHost,
        })),
      })),
  );
}

/**
 * A group the coordinator does not know as a consumer group comes back with its own error code
 * (GROUP_ID_NOT_FOUND), and the library rejects the whole response, attaching it: the other
 * groups in it still count. Any other failure leaves the classic answer standing.
 */
function partialResponse(error: unknown): ConsumerGroupDescribeResponse | undefined {
  return (error as { response?: ConsumerGroupDescribeResponse }).response;
}
