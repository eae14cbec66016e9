import { TroupeError } from '../errors';
import type { JsonLocation } from './json-text';

/**
 * A contract file (.avsc or topics.json) that cannot be used. The message names the file,
 * the line and column when known, the JSON path inside the file and what is wrong:
 * `schemas/releases/X.avsc:7:25 at $.fields[2].type: unknown type "strin" (...)`.
 */
export class SchemaFileError extends TroupeError {
  constructor(
    readonly file: string,
    readonly jsonPath: string,
    readonly problem: string,
    readonly location?: JsonLocation,
    options?: { cause?: unknown },
  ) {
    const where = location ? `${file}:${location.line}:${location.column}` : file;
    super('SCHEMA_FILE_INVALID', `${where} at ${jsonPath}: ${problem}`, options);
  }
}
