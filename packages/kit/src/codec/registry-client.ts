import { TroupeError } from '../errors';

/**
 * A transport failure or an error answer from the schema registry. `REGISTRY_UNAVAILABLE`
 * (network, timeout, 5xx) is worth retrying; `REGISTRY_REJECTED` (4xx) is not.
 */
export class RegistryError extends TroupeError {
  constructor(
    code: 'REGISTRY_UNAVAILABLE' | 'REGISTRY_REJECTED',
    message: string,
    readonly status?: number,
    readonly errorCode?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export interface SchemaRegistryClientOptions {
  /** Base URL; `user:password@` in it becomes basic authentication. */
  url: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

export interface RegisteredSchema {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

export interface CompatibilityResult {
  compatible: boolean;
  /** The registry's reasons when incompatible (needs `?verbose=true` support). */
  messages: string[];
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** The few Confluent Schema Registry REST calls Troupe needs, over fetch, each with a timeout. */
export class SchemaRegistryClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly authorization?: string;

  constructor(options: SchemaRegistryClientOptions | string) {
    const { url, timeoutMs = 10_000 } = typeof options === 'string' ? { url: options } : options;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RegistryError(
        'REGISTRY_REJECTED',
        `schema registry URL: expected http(s)://host:port, found ${JSON.stringify(url)}`,
      );
    }
    if (parsed.username || parsed.password) {
      const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
      this.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    this.url = parsed.toString().replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
  }

  /** Registers `schema` under `subject` (idempotent) and returns its global id. */
  async register(subject: string, schema: string, signal?: AbortSignal): Promise<number> {
    const body = await this.request<{ id: number }>(
      'POST',
      `/subjects/${enc(subject)}/versions`,
      { schema },
      signal,
    );
    return body.id;
  }

  /** The registered version of `schema` under `subject`, or undefined if it is not registered. */
  async lookup(
    subject: string,
    schema: string,
    signal?: AbortSignal,
  ): Promise<RegisteredSchema | undefined> {
    return this.orNotFound(
      this.request<RegisteredSchema>('POST', `/subjects/${enc(subject)}`, { schema }, signal),
    );
  }

  /** The schema text registered with `id`, or undefined if the registry does not know the id. */
  async schemaById(id: number, signal?: AbortSignal): Promise<string | undefined> {
    const body = await this.orNotFound(
      this.request<{ schema: string }>('GET', `/schemas/ids/${id}`, undefined, signal),
    );
    return body?.schema;
  }

  /** The latest version under `subject`, or undefined if the subject does not exist. */
  async latest(subject: string, signal?: AbortSignal): Promise<RegisteredSchema | undefined> {
    return this.orNotFound(
      this.request<RegisteredSchema>(
        'GET',
        `/subjects/${enc(subject)}/versions/latest`,
        undefined,
        signal,
      ),
    );
  }

  /**
   * Asks whether `schema` may be registered as the next version of `subject` under its
   * compatibility level. Undefined when the subject does not exist yet (anything goes).
   */
  async testCompatibility(
    subject: string,
    schema: string,
    signal?: AbortSignal,
  ): Promise<CompatibilityResult | undefined> {
    const path = `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`;
    const body = await this.orNotFound(
      this.request<{ is_compatible: boolean; messages?: unknown[] }>(
        'POST',
        path,
        { schema },
        signal,
      ),
    );
    if (!body) return undefined;
    return { compatible: body.is_compatible, messages: (body.messages ?? []).map(String) };
  }

  /** The compatibility level applying to `subject` (its own, else the global one). */
  async compatibilityLevel(subject: string, signal?: AbortSignal): Promise<string | undefined> {
    const own = await this.orNotFound(
      this.request<{ compatibilityLevel?: string }>(
        'GET',
        `/config/${enc(subject)}`,
        undefined,
        signal,
      ),
    );
    if (own?.compatibilityLevel) return own.compatibilityLevel;
    const global = await this.orNotFound(
      this.request<{ compatibilityLevel?: string }>('GET', '/config', undefined, signal),
    );
    return global?.compatibilityLevel;
  }

  private async orNotFound<T>(pending: Promise<T>): Promise<T | undefined> {
    try {
      return await pending;
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async request<T>(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (body !== undefined) headers['content-type'] = CONTENT_TYPE;
    if (this.authorization) headers.authorization = this.authorization;
    const where = `${method} ${this.url}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted
        ? `no answer within ${this.timeoutMs} ms`
        : describeFetchError(error);
      throw new RegistryError(
        'REGISTRY_UNAVAILABLE',
        `schema registry ${where}: ${reason}`,
        undefined,
        undefined,
        { cause: error },
      );
    }
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok && json !== undefined) return json as T;
    const answer = json as { error_code?: number; message?: string } | undefined;
    const detail = answer?.message ?? (text.slice(0, 200) || response.statusText);
    const code =
      response.status >= 500 || response.status === 429
        ? 'REGISTRY_UNAVAILABLE'
        : 'REGISTRY_REJECTED';
    throw new RegistryError(
      code,
      `schema registry ${where}: HTTP ${response.status}: ${detail}`,
      response.status,
      answer?.error_code,
    );
  }
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
