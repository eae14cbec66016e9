import { contractsCatalog, topicSpecs } from '@troupe/contracts';
import type { KafkaDriver, SchemaRegistryClient } from '@troupe/kit';
import { failureTopicsFor, subjectNamer } from '@troupe/kit/internal';
import type { PipelineTopics } from '@troupe-services/pipeline';

/** topics.json's default names → the names this run uses. */
function actualTopics(topics: PipelineTopics): Map<string, string> {
  return new Map([
    ['releases.events', topics.releases],
    ['telemetry.samples', topics.samples],
    ['alerts.events', topics.alerts],
  ]);
}

/**
 * Creates the pipeline's topics as schemas/topics.json describes them (partitions, configs),
 * under this run's names, with the retry and dead-letter topics the services' consumers will
 * use (`retryDelaysMs`, TROUPE_RETRY_TOPIC_DELAYS), and waits until every partition has a leader.
 * Existing topics are kept. (Seven services starting at once on a fresh broker would otherwise race
 * to create the failure topics and subscribe before their leaders exist.)
 */
export async function createPipelineTopics(
  kafka: KafkaDriver,
  topics: PipelineTopics,
  retryDelaysMs: readonly number[],
): Promise<string[]> {
  const names = actualTopics(topics);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const main = topicSpecs.map((spec) => ({ ...spec, name: names.get(spec.name) ?? spec.name }));
    // Failure topics of the consumed topics (the alerts topic has no consumer in the pipeline).
    const consumed = new Set([topics.releases, topics.samples]);
    const failure = main
      .filter((spec) => consumed.has(spec.name))
      .flatMap((spec) => {
        const { retry, deadLetter } = failureTopicsFor(spec.name, retryDelaysMs);
        return [...retry, deadLetter].map((name) => ({
          ...spec,
          name,
          config: {} as Record<string, string>,
        }));
      });
    // Creates only those that are missing, and answers which.
    const created = await admin.createTopics(
      [...main, ...failure].map((spec) => ({
        topic: spec.name,
        partitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configs: spec.config,
      })),
    );
    const all = [...main, ...failure].map((spec) => spec.name);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const described = await admin.describeTopics(all);
      if (
        described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        break;
      if (Date.now() > deadline)
        throw new Error(
          `topics ${all.join(', ')}: expected a leader for every partition within 30 s`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return created;
  } finally {
    await admin.disconnect();
  }
}

/** Registers every event schema under each topic carrying it (topic-record-name subjects), as `troupe schemas register` does. */
export async function registerPipelineSchemas(
  registry: SchemaRegistryClient,
  topics: PipelineTopics,
): Promise<number> {
  const names = actualTopics(topics);
  const catalog = contractsCatalog();
  const subjectOf = subjectNamer();
  let count = 0;
  for (const spec of topicSpecs) {
    const topic = names.get(spec.name) ?? spec.name;
    for (const type of spec.eventTypes) {
      const entry = catalog.get(type);
      if (!entry)
        throw new Error(`topics.json lists ${type} on ${spec.name}, but no schema defines it`);
      await registry.register(subjectOf(topic, type), entry.schemaText);
      count++;
    }
  }
  return count;
}
