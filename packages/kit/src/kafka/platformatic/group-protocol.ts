import { Admin, type BaseOptions } from '@platformatic/kafka';

/** Which consumer-group protocol a group uses: Kafka's classic one, or KIP-848's ("consumer"). */
export type GroupProtocol = 'classic' | 'consumer';

/** ConsumerGroupHeartbeat, the request of KIP-848's protocol. */
const CONSUMER_GROUP_HEARTBEAT = 68;

const known = new Map<string, Promise<GroupProtocol>>();

/**
 * KIP-848's protocol when the cluster offers it (Kafka 4.0 and later enable it by default), the
 * classic one otherwise (Kafka 3.x). Asked once per process and cluster.
 */
export function groupProtocolOf(base: BaseOptions): Promise<GroupProtocol> {
  const cluster = base.bootstrapBrokers.map(String).join(',');
  let protocol = known.get(cluster);
  if (!protocol) {
    protocol = probe(base);
    known.set(cluster, protocol);
    // A cluster that could not be asked is asked again next time.
    protocol.catch(() => known.delete(cluster));
  }
  return protocol;
}

async function probe(base: BaseOptions): Promise<GroupProtocol> {
  const admin = new Admin({ ...base, clientId: `${base.clientId}-probe` });
  try {
    const apis = await admin.listApis();
    return apis.some((api) => api.apiKey === CONSUMER_GROUP_HEARTBEAT) ? 'consumer' : 'classic';
  } finally {
    await admin.close();
  }
}
