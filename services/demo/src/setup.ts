import { createKafkaDriver, createLogger, registryClientFromConfig } from '@troupe/kit';
import { loadPipelineSettings } from '@troupe-services/pipeline';
import { createPipelineTopics, registerPipelineSchemas } from './provision';

/**
 * `node services/demo/dist/setup.js`: prepares a stack for the pipeline's services — creates the
 * topics of schemas/topics.json (names from TROUPE_*_TOPIC) with their retry and dead-letter
 * topics, and registers every event schema. Idempotent; exits 0 when done, 1 with one JSON line
 * saying why not. docker-compose runs it before the services start.
 */
async function setup(): Promise<void> {
  const log = createLogger({ service: 'pipeline-setup' });
  const settings = loadPipelineSettings(process.env);
  // The services' registry settings, credentials and CA included; a ConfigError when the URL is unset.
  const registry = registryClientFromConfig(settings.kit);
  const created = await createPipelineTopics(
    // The services' connection settings, TLS and SASL included.
    createKafkaDriver(settings.kit.kafka, { clientId: 'pipeline-setup' }),
    settings.topics,
    settings.kit.retry.topicDelaysMs,
  );
  const subjects = await registerPipelineSchemas(registry, settings.topics);
  log.info({ topics: settings.topics, created, subjects }, 'pipeline topics and schemas ready');
}

setup().then(
  () => process.exit(0),
  (error: unknown) => {
    createLogger({ service: 'pipeline-setup' }).fatal({ err: error }, 'setup failed');
    process.exit(1);
  },
);
