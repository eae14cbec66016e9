import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { TroupeError } from '../errors';
import { certificateProblem, REGISTRY_TLS } from '../runtime/tls-problem';

export type RegistryErrorCode = 'REGISTRY_UNAVAILABLE' | 'REGISTRY_REJECTED';

/**
 * A transport failure or an error answer from the schema registry. `REGISTRY_UNAVAILABLE`
 * (network, timeout, 5xx, a 404 that is not the registry's) is worth retrying;
 * `REGISTRY_REJECTED` (the registry refused the request) is not. See registryErrorCode.
 */
export class RegistryError extends TroupeError {
  constructor(
    code: RegistryErrorCode,
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
  /** Basic authentication, e.g. from TROUPE_SCHEMA_REGISTRY_USERNAME and _PASSWORD; overrides the URL's. */
  username?: string;
  password?: string;
  /**
   * PEM CA certificates (e.g. TROUPE_SCHEMA_REGISTRY_CA_FILE's text) trusted for an https registry,
   * besides the system's: for a registry whose certificate a private CA signed.
   */
  ca?: string;
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

/**
 * Confluent's `error_code`s for "no such thing". Each call names the ones that make a 404 an
 * answer (undefined) rather than an error: `schemaById` must not take a missing subject, or a
 * 404 from the wrong server, for an unknown id (see registryErrorCode).
 */
const SUBJECT_NOT_FOUND = 40401;
const VERSION_NOT_FOUND = 40402;
const SCHEMA_NOT_FOUND = 40403;
const SUBJECT_LEVEL_CONFIG_NOT_FOUND = 40408;

/**
 * Classifies an HTTP error answer. 5xx and 429: the registry is down or busy. A 404 without a
 * Confluent 404xx `error_code` did not come from a registry looking the thing up: a wrong URL or
 * path prefix, a proxy or gateway, a registry without that endpoint. Calling it "not found" would
 * make every event's schema id "unknown" — a permanent DecodeError, so good events go to the
 * dead-letter topic — hence retryable, like an unreachable registry, until the URL is fixed.
 * Any other 4xx is the registry refusing the request.
 */
export function registryErrorCode(status: number, errorCode?: number): RegistryErrorCode {
  if (status >= 500 || status === 429) return 'REGISTRY_UNAVAILABLE';
  if (status === 404 && !isRegistryNotFound(errorCode)) return 'REGISTRY_UNAVAILABLE';
  return 'REGISTRY_REJECTED';
}

function isRegistryNotFound(errorCode: number | undefined): boolean {
  return errorCode !== undefined && Math.floor(errorCode / 100) === 404;
}

/** The few Confluent Schema Registry REST calls Troupe needs, over fetch, each with a timeout. */
export class SchemaRegistryClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly authorization?: string;
  /** Only with a private CA: fetch's own dispatcher trusts the system's CAs alone. */
  private readonly dispatcher?: Agent;

  constructor(options: SchemaRegistryClientOptions | string) {
    const {
      url,
      timeoutMs = 10_000,
      username,
      password,
      ca,
    }: SchemaRegistryClientOptions = typeof options === 'string' ? { url: options } : options;
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
    if (username !== undefined)
      this.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    this.url = parsed.toString().replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
    // `ca` alone would replace the system's roots (tls.connect's meaning); a private CA is added to them.
    if (ca !== undefined)
      this.dispatcher = new Agent({ connect: { ca: [...rootCertificates, ca] } });
  }

  /** The registered subjects (GET /subjects): also the cheapest "does the registry answer?". */
  async subjects(signal?: AbortSignal): Promise<string[]> {
    return this.request<string[]>('GET', '/subjects', undefined, signal);
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
      [SUBJECT_NOT_FOUND, SCHEMA_NOT_FOUND],
    );
  }

  /**
   * The schema text registered with `id`, or undefined if the registry does not know the id
   * (40403 only: any other 404 throws, see registryErrorCode).
   */
  async schemaById(id: number, signal?: AbortSignal): Promise<string | undefined> {
    const body = await this.orNotFound(
      this.request<{ schema: string }>('GET', `/schemas/ids/${id}`, undefined, signal),
      [SCHEMA_NOT_FOUND],
    );
    return body?.schema;
  }

  /** The latest version under `subject`, or undefined if the subject does not exist. */
  async latest(subject: string, signal?: AbortSignal): Promise<RegisteredSchema | undefined> {
    return this.version(subject, 'latest', signal);
  }

  /** One version of `subject`, or undefined if the subject or the version does not exist. */
  async version(
    subject: string,
    version: number | 'latest',
    signal?: AbortSignal,
  ): Promise<RegisteredSchema | undefined> {
    return this.orNotFound(
      this.request<RegisteredSchema>(
        'GET',
        `/subjects/${enc(subject)}/versions/${version}`,
        undefined,
        signal,
      ),
      [SUBJECT_NOT_FOUND, VERSION_NOT_FOUND],
    );
  }

  /** The live version numbers of `subject`, oldest first; undefined if it does not exist. */
  async versions(subject: string, signal?: AbortSignal): Promise<number[] | undefined> {
    return this.orNotFound(
      this.request<number[]>('GET', `/subjects/${enc(subject)}/versions`, undefined, signal),
      [SUBJECT_NOT_FOUND],
    );
  }

  /**
   * Asks whether `schema` may be registered as the next version of `subject`: the check
   * registration makes, against the versions the subject's level requires (every one under a
   * *_TRANSITIVE level). Undefined when the registry says the subject does not exist (Confluent
   * answers compatible instead: there is nothing to compare with).
   */
  async testCompatibility(
    subject: string,
    schema: string,
    signal?: AbortSignal,
  ): Promise<CompatibilityResult | undefined> {
    // Not `/versions/latest`: Confluent checks a given version, latest included, against that
    // version only, so a transitive level would pass here and then fail registration with 409.
    return this.compatibility(`/compatibility/subjects/${enc(subject)}/versions`, schema, signal);
  }

  /**
   * Asks whether `schema` is compatible with one registered version of `subject`, in the
   * direction of the subject's level (BACKWARD, FORWARD or FULL; transitive or not makes no
   * difference for one version). Not what registration checks: use it to find which version a
   * schema conflicts with. Undefined when the subject or the version does not exist.
   */
  async testCompatibilityWithVersion(
    subject: string,
    version: number | 'latest',
    schema: string,
    signal?: AbortSignal,
  ): Promise<CompatibilityResult | undefined> {
    return this.compatibility(
      `/compatibility/subjects/${enc(subject)}/versions/${version}`,
      schema,
      signal,
    );
  }

  /** The compatibility level applying to `subject` (its own, else the global one). */
  async compatibilityLevel(subject: string, signal?: AbortSignal): Promise<string | undefined> {
    // Registries before Confluent 7 answer 40401 for a subject without its own level.
    const own = await this.orNotFound(
      this.request<{ compatibilityLevel?: string }>(
        'GET',
        `/config/${enc(subject)}`,
        undefined,
        signal,
      ),
      [SUBJECT_NOT_FOUND, SUBJECT_LEVEL_CONFIG_NOT_FOUND],
    );
    if (own?.compatibilityLevel) return own.compatibilityLevel;
    const global = await this.request<{ compatibilityLevel?: string }>(
      'GET',
      '/config',
      undefined,
      signal,
    );
    return global.compatibilityLevel;
  }

  /** `?verbose=true` asks for the reasons; registries that ignore it just leave them out. */
  private async compatibility(
    path: string,
    schema: string,
    signal?: AbortSignal,
  ): Promise<CompatibilityResult | undefined> {
    const body = await this.orNotFound(
      this.request<{ is_compatible: boolean; messages?: unknown[] }>(
        'POST',
        `${path}?verbose=true`,
        { schema },
        signal,
      ),
      [SUBJECT_NOT_FOUND, VERSION_NOT_FOUND],
    );
    if (!body) return undefined;
    return { compatible: body.is_compatible, messages: (body.messages ?? []).map(String) };
  }

  /** The answer, or undefined when the registry says it has no such thing (one of `codes`). */
  private async orNotFound<T>(
    pending: Promise<T>,
    codes: readonly number[],
  ): Promise<T | undefined> {
    try {
      return await pending;
    } catch (error) {
      if (isNotFound(error, codes)) return undefined;
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
        // undici's Agent is the dispatcher Node's fetch takes; its types are undici's, not lib.dom's.
        ...(this.dispatcher ? ({ dispatcher: this.dispatcher } as unknown as RequestInit) : {}),
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
    const answer = json as { error_code?: unknown; message?: unknown } | null | undefined;
    const errorCode = typeof answer?.error_code === 'number' ? answer.error_code : undefined;
    const message = typeof answer?.message === 'string' ? answer.message : undefined;
    const detail = message ?? (text.slice(0, 200) || response.statusText);
    throw new RegistryError(
      registryErrorCode(response.status, errorCode),
      `schema registry ${where}: HTTP ${response.status}: ${detail}${misroutedHint(response.status, errorCode)}${credentialsHint(response.status)}`,
      response.status,
      errorCode,
    );
  }
}

/** A 404 that is not the registry's own "not found" most often means a wrong URL. */
function misroutedHint(status: number, errorCode: number | undefined): string {
  return status === 404 && !isRegistryNotFound(errorCode)
    ? ' (not a schema registry lookup answer: check the registry URL and any path prefix)'
    : '';
}

/**
 * A 401 is the credentials (the client's username and password options, which come from these
 * settings); a 403, the user's role. Named so that a refused start or command is one line to act on.
 */
function credentialsHint(status: number): string {
  if (status === 401)
    return ': check TROUPE_SCHEMA_REGISTRY_USERNAME and TROUPE_SCHEMA_REGISTRY_PASSWORD';
  if (status === 403)
    return ': the user TROUPE_SCHEMA_REGISTRY_USERNAME names may not do this (a read-only user?)';
  return '';
}

function isNotFound(error: unknown, codes: readonly number[]): boolean {
  return (
    error instanceof RegistryError &&
    error.status === 404 &&
    error.errorCode !== undefined &&
    codes.includes(error.errorCode)
  );
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    certificateProblem(cause, REGISTRY_TLS) ??
    cause?.code ??
    cause?.message ??
    (error as Error).message
  );
}
