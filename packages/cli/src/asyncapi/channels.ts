import { CatalogError, type SubjectNameStrategy, type TopicSpec } from '@troupe/kit';
import { subjectNamer, type SystemCatalog } from '@troupe/kit/internal';
import { messageHeaders, schemaRef, type HeaderSchemaName } from './headers';
import type { JsonObject, JsonValue } from './json';
import { KAFKA_BINDING_VERSION, MESSAGE_CONTENT_TYPE } from './versions';

/** How the channels describe the registry: only with a registry URL may a message binding name it. */
export interface ChannelOptions {
  subjectStrategy: SubjectNameStrategy;
  /** The server binding names a schema registry (schemaRegistryUrl). */
  registry: boolean;
}

/** Confluent's serializer class for each subject strategy (Kafka binding `schemaLookupStrategy`). */
const LOOKUP_STRATEGY: Record<SubjectNameStrategy, string> = {
  'topic-name': 'io.confluent.kafka.serializers.subject.TopicNameStrategy',
  'record-name': 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
  'topic-record-name': 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy',
};

/** Topic configs the Kafka channel binding 0.5.0 types as integers; others are kept as written. */
const INTEGER_CONFIGS = new Set([
  'retention.ms',
  'retention.bytes',
  'delete.retention.ms',
  'max.message.bytes',
]);

/** A topic's retry and dead-letter topics, and the event types that can land on them. */
export interface FailureChannels {
  topic: string;
  retry: { topic: string; delayMs: number }[];
  deadLetter: string;
  /** Every type a subscribing service handles from the topic: only those can fail there. */
  eventTypes: string[];
}

/**
 * The channels of the system, one per topic, the channel id and address being the topic name:
 * each topics.json topic with the event types it lists as messages, followed by its retry and
 * dead-letter topics when a service subscribes to it. Messages are defined in their channel
 * (not in components) because the Kafka message binding depends on the topic: its key field and
 * its registry subject. Payloads refer to the event's Avro schema in components.schemas.
 */
export function buildChannels(catalog: SystemCatalog, options: ChannelOptions): JsonObject {
  const docs = new Map(
    catalog.events.map((e) => [e.type, (e.schema as { doc?: unknown }).doc] as const),
  );
  const message = (type: string, topic: TopicSpec, at: MessageAt) =>
    messageOf(type, topic, options, at, docs.get(type));
  const channels: JsonObject = {};
  for (const topic of catalog.topics) {
    channels[topic.name] = mainChannel(topic, options, message);
    const failure = failureChannelsOf(topic.name, catalog);
    if (!failure) continue;
    for (const [index, retry] of failure.retry.entries())
      channels[retry.topic] = retryChannel(topic, failure, index, message);
    channels[failure.deadLetter] = deadLetterChannel(topic, failure, message);
  }
  return channels;
}

/** The failure topics of `topic`, or undefined when no service subscribes to it. */
export function failureChannelsOf(
  topic: string,
  catalog: SystemCatalog,
): FailureChannels | undefined {
  const subscribers = catalog.services.filter((s) => s.subscribes.includes(topic));
  const topics = subscribers.flatMap((s) => s.failureTopics).find((f) => f.topic === topic);
  if (!topics) return undefined;
  const eventTypes = [
    ...new Set(
      subscribers.flatMap((s) =>
        s.consumes.filter((c) => c.topics.includes(topic)).map((c) => c.eventType),
      ),
    ),
  ].sort();
  return {
    topic,
    retry: topics.retry.map((name, i) => ({
      topic: name,
      delayMs: catalog.retryTopicDelaysMs[i]!,
    })),
    deadLetter: topics.deadLetter,
    eventTypes,
  };
}

type MessageAt = { subject?: string; failureHeaders?: HeaderSchemaName };
type MessageOf = (type: string, topic: TopicSpec, at: MessageAt) => JsonObject;

function mainChannel(topic: TopicSpec, options: ChannelOptions, message: MessageOf): JsonObject {
  // loadTopics checked that each type listed has a schema.
  const messages: JsonObject = {};
  for (const type of [...topic.eventTypes].sort())
    messages[type] = message(type, topic, {
      subject: subjectNamer(options.subjectStrategy)(topic.name, type),
    });
  return {
    address: topic.name,
    title: topic.name,
    description: [
      topic.key === undefined
        ? 'Keyed by each event’s aggregate key, so the events of one aggregate keep their order.'
        : `Keyed by the \`${topic.key}\` field of each event, so the events of one ${topic.key} keep their order.`,
      `Carries ${topic.eventTypes.length === 1 ? 'one event type' : `${topic.eventTypes.length} event types`} (topics.json).`,
    ].join(' '),
    messages,
    bindings: {
      kafka: {
        partitions: topic.partitions,
        ...(topic.replicationFactor === undefined ? {} : { replicas: topic.replicationFactor }),
        ...topicConfiguration(topic),
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function retryChannel(
  topic: TopicSpec,
  failure: FailureChannels,
  index: number,
  message: MessageOf,
): JsonObject {
  const { topic: name, delayMs } = failure.retry[index]!;
  return failureChannel(name, topic, failure, message, 'RetryHeaders', [
    `Retry topic ${index + 1} of ${topic.name}: an event whose handler failed with a retryable error ${index === 0 ? `on ${topic.name}` : `on ${failure.retry[index - 1]!.topic}`} waits here ${duration(delayMs)} (TROUPE_RETRY_TOPIC_DELAYS) before the service’s \`<service>.retry\` consumer group handles it again, while ${topic.name} keeps flowing.`,
    'The topic is shared by every service consuming the main topic; each handles only the records addressed to it (troupe-retry-service).',
  ]);
}

function deadLetterChannel(
  topic: TopicSpec,
  failure: FailureChannels,
  message: MessageOf,
): JsonObject {
  return failureChannel(failure.deadLetter, topic, failure, message, 'DeadLetterHeaders', [
    `Dead-letter topic of ${topic.name}: events whose handler failed permanently, or past the last retry topic, with headers saying where they came from and why.`,
    'A record that could not be decoded lands here as it was, so it may match none of these messages.',
    '`npx troupe dlq list` shows them; `npx troupe dlq redrive` sends them back to their topic.',
  ]);
}

function failureChannel(
  name: string,
  topic: TopicSpec,
  failure: FailureChannels,
  message: MessageOf,
  headers: HeaderSchemaName,
  description: string[],
): JsonObject {
  const messages: JsonObject = {};
  for (const type of failure.eventTypes)
    messages[type] = message(type, topic, { failureHeaders: headers });
  return {
    address: name,
    title: name,
    description: [
      ...description,
      `Services create it at start with the partition count of ${topic.name} and the broker’s default configuration.`,
    ].join(' '),
    messages,
    bindings: { kafka: { partitions: topic.partitions, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

/**
 * A message of `type` on `topic` (or on one of its failure topics, with `failureHeaders`): the
 * key, value and CloudEvents headers of the original record. A failure topic keeps the value's
 * bytes, whose schema id was registered under the main topic's subject: its messages name no
 * lookup strategy of their own.
 */
function messageOf(
  type: string,
  topic: TopicSpec,
  options: ChannelOptions,
  at: MessageAt,
  doc: unknown,
): JsonObject {
  const registry: JsonObject = options.registry
    ? {
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        ...(at.subject === undefined
          ? {}
          : { schemaLookupStrategy: LOOKUP_STRATEGY[options.subjectStrategy] }),
      }
    : {};
  const subject =
    at.subject === undefined
      ? `Its schema id is the one registered for ${topic.name}.`
      : `Registry subject: \`${at.subject}\` (${options.subjectStrategy}).`;
  return {
    name: type,
    title: shortName(type),
    ...(typeof doc === 'string' ? { summary: doc } : {}),
    contentType: MESSAGE_CONTENT_TYPE,
    description: `Avro in the Confluent wire format. ${subject}`,
    headers: messageHeaders(type, at.failureHeaders),
    payload: schemaRef(type),
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description:
            topic.key === undefined
              ? 'The aggregate key the publisher gave (topics.json names no key field).'
              : `The event’s \`${topic.key}\` field (the key of ${topic.name} in topics.json).`,
        },
        ...registry,
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

/** topics.json `config` as the binding's topicConfiguration: lists and integers typed. */
function topicConfiguration(topic: TopicSpec): JsonObject {
  const entries = Object.entries(topic.config).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return {};
  const configuration: Record<string, JsonValue> = {};
  for (const [key, value] of entries) {
    if (key === 'cleanup.policy') configuration[key] = value.split(',').map((p) => p.trim());
    else if (INTEGER_CONFIGS.has(key)) {
      if (!/^-?\d+$/.test(value.trim()))
        throw new CatalogError(
          'topics.json',
          `topic ${topic.name} config ${key}: expected an integer, found "${value}"`,
        );
      configuration[key] = Number(value);
    } else configuration[key] = value;
  }
  return { topicConfiguration: configuration };
}

/** The record name without its namespace: `troupe.releases.Promoted` → `Promoted`. */
export function shortName(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}

function duration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000} min`;
  if (ms % 1_000 === 0 && ms >= 1_000) return `${ms / 1_000} s`;
  return `${ms} ms`;
}
