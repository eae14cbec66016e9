import { CatalogError } from '@troupe/kit';
import type { CatalogedService, SystemCatalog } from '@troupe/kit/internal';
import { failureChannelsOf, shortName } from './channels';
import type { JsonObject } from './json';
import { KAFKA_BINDING_VERSION } from './versions';

/**
 * The operations of every service, in catalog order (services by name), each tagged with its
 * service:
 * - `receive` for each event type a handler handles, on each subscribed topic carrying it
 *   (Kafka binding: the service's consumer group, and its client id);
 * - `send` for each event type it publishes, from a handler or through a Publisher or outbox
 *   (the description says which);
 * - on the failure path of each subscribed topic it handles events from: `receive` on each retry
 *   topic (consumer group `<service>.retry`) and `send` to each retry topic and the dead-letter
 *   topic, with the types it handles from that topic.
 *
 * Ids are `<service>.receive.<Type>` and `<service>.send.<Type>` (qualified by topic and full
 * type when that is ambiguous), and `<service>.<action>.<failure topic>`.
 *
 * Throws CatalogError naming the service file when a service publishes to a topic topics.json
 * does not declare, or a type the topic does not list: the document could not say what it sends
 * (`troupe graph --check` reports the same).
 */
export function buildOperations(catalog: SystemCatalog, channels: JsonObject): JsonObject {
  const operations: JsonObject = {};
  const add = (preferred: string, qualified: string, operation: JsonObject) => {
    operations[preferred in operations ? qualified : preferred] = operation;
  };
  for (const service of catalog.services) {
    const tags = [{ $ref: `#/components/tags/${service.name}` }];
    const [group, retryGroup] = service.groups;
    for (const consumed of service.consumes)
      for (const topic of consumed.topics)
        add(
          `${service.name}.receive.${shortName(consumed.eventType)}`,
          `${service.name}.receive.${topic}.${consumed.eventType}`,
          {
            action: 'receive',
            channel: channelRef(topic),
            summary: `${service.name} handles ${shortName(consumed.eventType)}`,
            description: receiveDescription(service, consumed, topic, group!),
            messages: [messageRef(topic, consumed.eventType)],
            bindings: consumerBinding(service, group!),
            tags,
          },
        );
    for (const published of service.publishes) {
      checkPublished(service, published, channels);
      add(
        `${service.name}.send.${shortName(published.eventType)}`,
        `${service.name}.send.${published.topic}.${published.eventType}`,
        {
          action: 'send',
          channel: channelRef(published.topic),
          summary: `${service.name} publishes ${shortName(published.eventType)}`,
          description:
            published.path === 'handler'
              ? `Published from a handler (\`ctx.publish\`) while ${service.name} handles the event that caused it, whose id becomes its ce_causationid.`
              : `Published outside the handlers, through a Publisher or an outbox relay (the \`publishes\` of ${service.name}’s catalog entry, ${service.file}).`,
          messages: [messageRef(published.topic, published.eventType)],
          tags,
        },
      );
    }
    for (const [name, operation] of failureOperations(catalog, service, retryGroup, tags))
      operations[name] = operation;
  }
  return operations;
}

function failureOperations(
  catalog: SystemCatalog,
  service: CatalogedService,
  retryGroup: string | undefined,
  tags: JsonObject[],
): [string, JsonObject][] {
  const operations: [string, JsonObject][] = [];
  for (const topic of service.subscribes) {
    const types = service.consumes.filter((c) => c.topics.includes(topic)).map((c) => c.eventType);
    const failure = failureChannelsOf(topic, catalog);
    if (types.length === 0 || !failure) continue; // nothing it handles there can fail
    const messages = (channel: string) => types.map((type) => messageRef(channel, type));
    failure.retry.forEach(({ topic: retry }, index) => {
      const from = index === 0 ? topic : failure.retry[index - 1]!.topic;
      operations.push([
        `${service.name}.send.${retry}`,
        {
          action: 'send',
          channel: channelRef(retry),
          summary: `${service.name} schedules a retry`,
          description: `When a handler of ${service.name} fails with a retryable error on ${from} (after its in-process retries), the event moves here.`,
          messages: messages(retry),
          tags,
        },
      ]);
      operations.push([
        `${service.name}.receive.${retry}`,
        {
          action: 'receive',
          channel: channelRef(retry),
          summary: `${service.name} retries`,
          description: `${service.name}’s retry consumer handles the records addressed to it (troupe-retry-service) once they are due (troupe-retry-due-at).`,
          messages: messages(retry),
          bindings: consumerBinding(service, retryGroup!),
          tags,
        },
      ]);
    });
    operations.push([
      `${service.name}.send.${failure.deadLetter}`,
      {
        action: 'send',
        channel: channelRef(failure.deadLetter),
        summary: `${service.name} gives up on an event`,
        description: `When a handler of ${service.name} fails permanently (or the event cannot be decoded), or fails on the last retry topic, the event moves here.`,
        messages: messages(failure.deadLetter),
        tags,
      },
    ]);
  }
  return operations;
}

function receiveDescription(
  service: CatalogedService,
  consumed: CatalogedService['consumes'][number],
  topic: string,
  group: string,
): string {
  return [
    `${service.name} handles ${consumed.eventType} from ${topic} in consumer group ${group}; the offset is committed once the handler succeeded or the event moved to a failure topic.`,
    service.dedup ? 'Deduplicated by event id (ce_id), so a redelivered event runs once.' : '',
    consumed.dependsOn.length > 0
      ? `The handler depends on ${consumed.dependsOn.join(', ')}: while a breaker guarding one is open, the consumer pauses instead of retrying.`
      : '',
    service.startFrom === undefined
      ? ''
      : `A new group starts from the ${service.startFrom} offset.`,
  ]
    .filter((s) => s !== '')
    .join(' ');
}

function consumerBinding(service: CatalogedService, group: string): JsonObject {
  return {
    kafka: {
      groupId: { type: 'string', const: group },
      clientId: {
        type: 'string',
        default: service.name,
        description: 'The service name, unless TROUPE_KAFKA_CLIENT_ID sets another.',
      },
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
}

function checkPublished(
  service: CatalogedService,
  published: CatalogedService['publishes'][number],
  channels: JsonObject,
): void {
  const channel = channels[published.topic] as { messages: JsonObject } | undefined;
  const problem = !channel
    ? `which topics.json does not declare`
    : !(published.eventType in channel.messages)
      ? `whose eventTypes in topics.json leave it out`
      : undefined;
  if (problem)
    throw new CatalogError(
      service.file,
      `service ${service.name} publishes ${published.eventType} to ${published.topic}, ${problem} (see npx troupe graph --check)`,
    );
}

function channelRef(topic: string): JsonObject {
  return { $ref: `#/channels/${pointer(topic)}` };
}

function messageRef(topic: string, type: string): JsonObject {
  return { $ref: `#/channels/${pointer(topic)}/messages/${pointer(type)}` };
}

/** A JSON Pointer reference token (RFC 6901); topic names and types hold neither ~ nor /. */
function pointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
