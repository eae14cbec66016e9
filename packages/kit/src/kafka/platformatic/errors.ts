/**
 * Reading @platformatic/kafka's errors without loading the library: it wraps a broker's error
 * code (a ProtocolError whose `apiId` is Kafka's name for it, e.g. TOPIC_ALREADY_EXISTS) in
 * MultipleErrors (AggregateErrors) once per layer of retries and fan-out.
 */

/** True when the broker answered `apiId` somewhere in the error's chain. */
export function hasProtocolError(error: unknown, apiId: string): boolean {
  return someError(error, (e) => (e as { apiId?: unknown }).apiId === apiId);
}

/**
 * True when the library refused a request because a topic does not exist: either the broker's
 * UNKNOWN_TOPIC_OR_PARTITION, or the UserError "Unknown topic <name>." that the library's
 * metadata request raises instead (without the broker's error as its cause).
 */
export function isUnknownTopic(error: unknown): boolean {
  return someError(
    error,
    (e) =>
      (e as { apiId?: unknown }).apiId === 'UNKNOWN_TOPIC_OR_PARTITION' ||
      /^Unknown topic /.test(e.message),
  );
}

function someError(error: unknown, test: (error: Error) => boolean, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 8) return false;
  if (test(error)) return true;
  const nested = error instanceof AggregateError ? (error.errors as unknown[]) : [];
  return [...nested, error.cause].some((e) => someError(e, test, depth + 1));
}

/**
 * The library's error with the reasons it wraps in its message: a MultipleErrors says only
 * "Producing messages failed.", while what the broker said (e.g. "The request included a message
 * larger than the max message size the server will accept.") is in its nested errors. The
 * original stays as the cause.
 */
export function withReasons(error: unknown): unknown {
  if (!(error instanceof AggregateError)) return error;
  const reasons = new Set<string>();
  collectReasons(error, reasons, 0);
  if (reasons.size === 0) return error;
  return new Error(`${error.message.replace(/\.$/, '')}: ${[...reasons].join('; ')}`, {
    cause: error,
  });
}

function collectReasons(error: unknown, reasons: Set<string>, depth: number): void {
  if (!(error instanceof Error) || depth > 8) return;
  const nested = error instanceof AggregateError ? (error.errors as unknown[]) : [];
  if (nested.length === 0) reasons.add(error.message);
  for (const inner of nested) collectReasons(inner, reasons, depth + 1);
}
