import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaAdmin } from '../admin';
import type { DriverOptions, KafkaConnection } from '../connection';
import type { ConsumerOptions, GroupConsumer } from '../consumer';
import type { KafkaDriver } from '../driver';
import type { ProducerOptions, RecordProducer } from '../producer';
import { PlatformaticAdmin } from './admin';
import { platformaticBaseOptions } from './connection';
import { PlatformaticGroupConsumer } from './consumer';
import { PlatformaticProducer } from './producer';

/**
 * The driver on @platformatic/kafka (ESM, Node >= 22.22): chosen with
 * TROUPE_KAFKA_DRIVER=platformatic. createKafkaDriver loads this module only then, so the
 * default driver never loads the library.
 */
export class PlatformaticDriver implements KafkaDriver {
  readonly name = 'platformatic';
  private readonly base: BaseOptions;

  constructor(connection: KafkaConnection, options: DriverOptions) {
    this.base = platformaticBaseOptions(connection, options);
  }

  consumer(options: ConsumerOptions): GroupConsumer {
    return new PlatformaticGroupConsumer(this.base, options);
  }

  producer(options?: ProducerOptions): RecordProducer {
    return new PlatformaticProducer(this.base, () => this.listTopics(), options);
  }

  admin(): KafkaAdmin {
    return new PlatformaticAdmin(this.base);
  }

  private async listTopics(): Promise<string[]> {
    const admin = this.admin();
    try {
      return await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  }
}
