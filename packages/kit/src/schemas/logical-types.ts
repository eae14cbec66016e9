import * as avro from 'avsc';

/**
 * `timestamp-millis` ↔ `Date`, the same in encode, decode and the generated TypeScript types.
 * Encoding accepts only valid Dates: a number or string in a timestamp field is a payload bug
 * we would rather report (with its path) than guess at.
 */
export class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(millis: number): Date {
    return new Date(millis);
  }

  protected override _toValue(value: unknown): number | undefined {
    if (!(value instanceof Date)) return undefined;
    const millis = value.getTime();
    return Number.isNaN(millis) ? undefined : millis;
  }

  protected override _resolve(writer: avro.Type): ((value: unknown) => unknown) | undefined {
    // A writer that already decodes to Date (the same logical type) needs no conversion;
    // a plain long written by an older producer is read as milliseconds since the epoch.
    if (writer instanceof TimestampMillisType) return identity;
    if (avro.Type.isType(writer, 'long')) return (millis) => new Date(millis as number);
    return undefined;
  }
}

function identity(value: unknown): unknown {
  return value;
}

/**
 * The one set of parse options every Avro type in Troupe is built with, so the catalog, the
 * codec and the type generator agree on what a value looks like. Unions are unwrapped
 * (`string | null`, not `{ string: ... }`); a union avsc cannot unwrap unambiguously (two
 * records, say) is rejected when the schema is loaded rather than decoded differently.
 */
export function avroTypeOptions(): Partial<avro.ForSchemaOptions> {
  return {
    logicalTypes: { 'timestamp-millis': TimestampMillisType },
    wrapUnions: false,
    omitRecordMethods: true,
  };
}

export function parseAvroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, avroTypeOptions());
}
