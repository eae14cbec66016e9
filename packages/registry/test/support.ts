import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKafkaDriver, loadKafkaConnection, type KafkaConnection } from '@troupe/kit';
import { type KafkaAdmin } from '@troupe/kit/internal';
import { startRegistry, type RegistryOptions, type RunningRegistry } from '@troupe/registry';

/**
 * Connection settings come only from the environment (set by jest's globalSetup or dev-env.sh),
 * read as the registry's CLI reads them.
 */
export function kafkaConnection(): KafkaConnection {
  if (!process.env.TROUPE_KAFKA_BROKERS)
    throw new Error(
      'TROUPE_KAFKA_BROKERS is not set: run through jest (globalSetup) or source dev-env.sh',
    );
  return loadKafkaConnection(process.env);
}

/** Runs `work` with a connected admin client of the test cluster, disconnecting whatever happens. */
export async function withAdmin<T>(work: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = createKafkaDriver(kafkaConnection(), {
    clientId: 'troupe-registry-test',
  }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export function uniqueTopic(label: string): string {
  return `_schemas-${label}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

const quiet = pino({ level: process.env.TROUPE_LOG_LEVEL ?? 'silent' });

/**
 * Registries and topics a test file started, stopped and deleted by `cleanUp()` (call it in afterAll).
 */
export class RegistryFixture {
  private readonly running = new Set<RunningRegistry>();
  private readonly topics = new Set<string>();

  async start(topic: string, options: Partial<RegistryOptions> = {}): Promise<RunningRegistry> {
    this.topics.add(topic);
    const registry = await startRegistry({
      kafka: kafkaConnection(),
      topic,
      logger: quiet,
      ...options,
    });
    this.running.add(registry);
    return registry;
  }

  /** A topic something else (a child process) writes to, to delete in `cleanUp()`. */
  track(topic: string): string {
    this.topics.add(topic);
    return topic;
  }

  async stop(registry: RunningRegistry): Promise<void> {
    this.running.delete(registry);
    await registry.close();
  }

  async cleanUp(): Promise<void> {
    await Promise.all([...this.running].map((r) => r.close()));
    this.running.clear();
    if (this.topics.size === 0) return;
    await withAdmin((admin) => admin.deleteTopics([...this.topics]));
  }
}

/** The end offset of the topic's single partition: how many records were ever written to it. */
export async function endOffset(topic: string): Promise<number> {
  return withAdmin(async (admin) => {
    const offsets = await admin.topicOffsets(topic);
    return Number(offsets.find((o) => o.partition === 0)?.high ?? 0);
  });
}

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly contentType: string | null;
}

/** Raw HTTP against the registry, for the endpoints and error cases the client library hides. */
export function api(baseUrl: string) {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers:
        body === undefined
          ? headers
          : { 'content-type': 'application/vnd.schemaregistry.v1+json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text === '' ? undefined : JSON.parse(text)) as T,
      contentType: response.headers.get('content-type'),
    };
  };
  return {
    get: <T = unknown>(path: string) => call<T>('GET', path),
    post: <T = unknown>(path: string, body: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body, headers),
    put: <T = unknown>(path: string, body: unknown) => call<T>('PUT', path, body),
    del: <T = unknown>(path: string) => call<T>('DELETE', path),
    /** POST /subjects/{subject}/versions with a schema object. */
    register: (subject: string, schema: object) =>
      call<{ id: number; error_code?: number; message?: string }>(
        'POST',
        `/subjects/${encodeURIComponent(subject)}/versions`,
        {
          schema: JSON.stringify(schema),
        },
      ),
  };
}

/** A record schema `troupe.test.<name>` with the given fields. */
export function recordSchema(name: string, fields: object[]): object {
  return { type: 'record', name, namespace: 'troupe.test', fields };
}
