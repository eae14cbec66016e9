/**
 * Errors in the shape the Confluent Schema Registry returns them: an HTTP status plus a JSON body
 * `{ error_code, message }`, where `error_code` refines the status (40401 = subject not found…).
 * Clients such as @kafkajs/confluent-schema-registry key their behaviour on these codes, so they
 * are kept exactly; messages follow Confluent's wording where clients might match on them.
 */
export class RegistryError extends Error {
  constructor(
    /** HTTP status of the response. */
    readonly status: number,
    /** Confluent error code, sent as `error_code`. */
    readonly errorCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const subjectNotFound = (subject: string): RegistryError =>
  new RegistryError(404, 40401, `Subject '${subject}' not found.`);

export const versionNotFound = (subject: string, version: number | string): RegistryError =>
  new RegistryError(404, 40402, `Version ${version} not found for subject '${subject}'.`);

export const schemaNotFound = (detail = 'Schema not found'): RegistryError =>
  new RegistryError(404, 40403, detail);

export const subjectSoftDeleted = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40404,
    `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`,
  );

export const subjectNotSoftDeleted = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40405,
    `Subject '${subject}' was not deleted first before being permanently deleted`,
  );

export const versionSoftDeleted = (subject: string, version: number): RegistryError =>
  new RegistryError(
    404,
    40406,
    `Subject '${subject}' Version ${version} was soft deleted. Set permanent=true to delete permanently`,
  );

export const versionNotSoftDeleted = (subject: string, version: number): RegistryError =>
  new RegistryError(
    404,
    40407,
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
  );

export const subjectLevelConfigNotFound = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40408,
    `Subject '${subject}' does not have subject-level compatibility configured`,
  );

export const incompatibleSchema = (messages: readonly string[]): RegistryError =>
  new RegistryError(
    409,
    409,
    `Schema being registered is incompatible with an earlier schema for subject; details: ${messages.join('; ')}`,
  );

export const invalidSchema = (detail: string): RegistryError =>
  new RegistryError(422, 42201, `Invalid schema: ${detail}`);

export const invalidVersion = (found: string): RegistryError =>
  new RegistryError(
    422,
    42202,
    `The specified version '${found}' is not a valid version id. ` +
      `Allowed values are between [1, 2^31-1] and the string "latest"`,
  );

export const invalidCompatibilityLevel = (found: unknown): RegistryError =>
  new RegistryError(
    422,
    42203,
    `Invalid compatibility level: expected one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, ` +
      `FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE; found ${JSON.stringify(found)}`,
  );

/** The request body is well-formed JSON but not the object the endpoint expects. */
export const unprocessableEntity = (detail: string): RegistryError =>
  new RegistryError(422, 422, detail);

export const storeError = (detail: string, cause?: unknown): RegistryError =>
  new RegistryError(500, 50001, `Error in the backend data store: ${detail}`, { cause });

export const storeTimeout = (detail: string): RegistryError =>
  new RegistryError(500, 50002, `Operation timed out: ${detail}`);
