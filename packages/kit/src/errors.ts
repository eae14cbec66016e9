import { types } from 'node:util';

/**
 * Every code a TroupeError can carry: a closed list, so a new code is a compile error until
 * classifyFailure (retry/classify.ts) decides whether it is retryable, permanent or deferred.
 * The codes travel in `troupe-dlq-error-code` headers and metric labels: rename none.
 */
export const errorCodes = [
  // Configuration and definitions
  'CONFIG_INVALID',
  'SERVICE_INVALID',
  'SCHEMA_FILE_INVALID',
  'CATALOG_INVALID',
  // The event itself is bad
  'PERMANENT',
  'VALIDATION_FAILED',
  'EVENT_INVALID',
  'UNKNOWN_EVENT_TYPE',
  'DECODE_EMPTY_PAYLOAD',
  'DECODE_WRONG_MAGIC_BYTE',
  'DECODE_TRUNCATED',
  'DECODE_UNKNOWN_SCHEMA_ID',
  'DECODE_UNRESOLVABLE_SCHEMA',
  'DECODE_INVALID_BODY',
  'DECODE_UNKNOWN_EVENT_TYPE',
  // Dependencies and time
  'TIMEOUT',
  'HANDLER_TIMEOUT',
  'REGISTRY_UNAVAILABLE',
  'REGISTRY_REJECTED',
  'BREAKER_OPEN',
  'DEDUP_UNAVAILABLE',
  'DEDUP_BUSY',
  'DELIVERY_ABORTED',
  'FAILURE_ROUTING',
  'OUTBOX_PUBLISH_FAILED',
  'TOPIC_MISSING',
  'TOPIC_NOT_READY',
  'UNREACHABLE',
  // The CLI (packages/cli)
  'KAFKA_UNREACHABLE',
  'TOPIC_UNKNOWN',
  'TOPIC_CHANGE_FAILED',
  'READ_RANGE',
  // Services
  'WEBHOOK_FAILED',
] as const;

/** One of errorCodes: the stable `code` every TroupeError carries. */
export type ErrorCode = (typeof errorCodes)[number];

/**
 * Every error Troupe raises is a TroupeError with a stable `code`, so callers and the
 * dead-letter headers can classify failures without parsing messages.
 */
export class TroupeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid configuration: names the variable and the expected form. */
export class ConfigError extends TroupeError {
  constructor(
    readonly variable: string,
    expected: string,
    found?: string,
  ) {
    super(
      'CONFIG_INVALID',
      `${variable}: expected ${expected}${found === undefined ? '' : `, found ${JSON.stringify(found)}`}`,
    );
  }
}

/**
 * Retrying cannot help (bad payload, failed validation): the runtime sends the event
 * straight to the dead-letter topic.
 */
export class PermanentError extends TroupeError {
  /** `options.code` lets subclasses (ValidationError) keep a more precise code. */
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'PERMANENT', message, options);
  }
}

/** Turns anything thrown (strings, objects, undefined) into an Error, keeping the original as cause. */
export function toError(thrown: unknown): Error {
  // isNativeError: an Error made in another realm (a vm context, a test sandbox, node's own sockets
  // seen from inside one) fails instanceof, yet is one.
  if (thrown instanceof Error || types.isNativeError(thrown)) return thrown as Error;
  const text = typeof thrown === 'string' ? thrown : safeStringify(thrown);
  const error = new Error(`non-Error thrown: ${text}`, { cause: thrown });
  // What classifies a failure travels on: `{ retryable: false }` stays permanent, a code stays its code.
  if (typeof thrown === 'object' && thrown !== null) {
    const { retryable, code } = thrown as { retryable?: unknown; code?: unknown };
    if (typeof retryable === 'boolean') Object.assign(error, { retryable });
    if (typeof code === 'string') Object.assign(error, { code });
  }
  return error;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** An error as one line for a person (a failed start, a CLI failure): its message, line breaks folded. */
export function oneLineMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}
