import type * as avro from 'avsc';
import { PermanentError } from '../errors';

/**
 * A payload that does not match its event's schema. Permanent: retrying the same payload
 * cannot help. `fieldPath` is the dotted path of the first offending value (`details.region`,
 * `failedTests.2`), empty for the payload itself.
 */
export class ValidationError extends PermanentError {
  constructor(
    readonly eventType: string,
    readonly fieldPath: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      `${eventType}: invalid payload at ${fieldPath || '(the payload itself)'}: expected ${expected}, found ${found}`,
      {
        code: 'VALIDATION_FAILED',
      },
    );
  }
}

/**
 * Finds the first invalid value of `payload` for `type`. Only called after encoding failed, so
 * valid payloads never pay for a second walk.
 */
export function validationErrorFor(
  eventType: string,
  type: avro.Type,
  payload: unknown,
): ValidationError | undefined {
  let first: { path: string[]; value: unknown; type: avro.Type } | undefined;
  type.isValid(payload, {
    errorHook: (path, value, failedType) => {
      first ??= { path: [...path], value, type: failedType };
    },
  });
  if (!first) return undefined;
  return new ValidationError(
    eventType,
    first.path.join('.'),
    describeType(first.type),
    describeValue(first.value),
  );
}

function describeType(type: avro.Type): string {
  const name = type.typeName;
  if (name === 'logical:timestamp-millis') return 'a Date (timestamp-millis)';
  if (name === 'record' || name === 'error') return `a record ${type.name ?? ''}`.trimEnd();
  if (name === 'enum')
    return `one of ${(type as avro.types.EnumType).symbols.map((s) => JSON.stringify(s)).join(', ')}`;
  if (name === 'union:unwrapped' || name === 'union:wrapped') {
    return (type as avro.types.UnwrappedUnionType).types.map(describeType).join(' or ');
  }
  if (name === 'int') return 'an int (32-bit integer)';
  if (name === 'long') return 'a long (safe integer)';
  if (name === 'fixed') return `a Buffer of ${(type as avro.types.FixedType).size} bytes`;
  if (name === 'bytes') return 'a Buffer';
  return `a ${name}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return Array.isArray(value) ? `array ${shown}` : `${typeof value} ${shown}`;
}
