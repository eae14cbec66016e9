import type { ServiceNames } from './names';

/**
 * The new domain's two events, following schemas/README.md: one record per file named like it,
 * namespace `troupe.<domain>`, the aggregate key a plain string field, times timestamp-millis
 * named `…At`, a doc on the record and on any field whose meaning is not obvious.
 */
export interface AvroSchemaFile {
  /** Relative to schemas/: `<domain>/<Record>.avsc`. */
  file: string;
  text: string;
}

const TIMESTAMP = '{ "type": "long", "logicalType": "timestamp-millis" }';

export function avroSchemaFiles(names: ServiceNames): AvroSchemaFile[] {
  const { domain, namespace, idField, requested, answered, name } = names;
  const key = `    {
      "name": "${idField}",
      "type": "string",
      "doc": "Aggregate key: every event of this request carries it."
    },`;
  return [
    {
      file: `${domain}/${requested.short}.avsc`,
      text: `{
  "type": "record",
  "name": "${requested.short}",
  "namespace": "${namespace}",
  "doc": "Someone asked the ${name} service for an answer.",
  "fields": [
${key}
    { "name": "text", "type": "string", "doc": "What to answer." },
    { "name": "requestedAt", "type": ${TIMESTAMP} }
  ]
}
`,
    },
    {
      file: `${domain}/${answered.short}.avsc`,
      text: `{
  "type": "record",
  "name": "${answered.short}",
  "namespace": "${namespace}",
  "doc": "The ${name} service answered a request (${requested.short}).",
  "fields": [
${key}
    { "name": "reply", "type": "string", "doc": "The answer." },
    { "name": "answeredAt", "type": ${TIMESTAMP} }
  ]
}
`,
    },
  ];
}
