import type { KafkaAdmin } from '../admin';
import type { ConsumerOptions, GroupConsumer } from '../consumer';
import type { KafkaDriver } from '../driver';
import type { RecordProducer } from '../producer';
import { MemoryAdmin } from './admin';
import { MemoryCluster } from './cluster';
import { MemoryGroupConsumer } from './consumer';
import { MemoryProducer } from './producer';

/**
 * The in-memory driver: a service, a publisher or a relay runs on it unchanged, in milliseconds,
 * with no broker. For unit tests of handlers and of the consume core; `cluster` is there to
 * create topics and to look at what was produced and committed.
 */
export class MemoryKafkaDriver implements KafkaDriver {
  readonly name = 'memory';

  constructor(readonly cluster: MemoryCluster = new MemoryCluster()) {}

  consumer(options: ConsumerOptions): GroupConsumer {
    return new MemoryGroupConsumer(this.cluster, options);
  }

  producer(): RecordProducer {
    return new MemoryProducer(this.cluster);
  }

  admin(): KafkaAdmin {
    return new MemoryAdmin(this.cluster);
  }
}
