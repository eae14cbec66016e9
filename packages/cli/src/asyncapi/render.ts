import { ConfigError } from '@troupe/kit';
import { stringify } from 'yaml';
import type { JsonObject } from './json';

export const ASYNCAPI_FORMATS = ['yaml', 'json'] as const;
export type AsyncApiFormat = (typeof ASYNCAPI_FORMATS)[number];

/** A --format value, or a ConfigError listing the accepted ones. */
export function parseFormat(text: string): AsyncApiFormat {
  if ((ASYNCAPI_FORMATS as readonly string[]).includes(text)) return text as AsyncApiFormat;
  throw new ConfigError('--format', ASYNCAPI_FORMATS.join(' | '), text);
}

/**
 * The document as text, ending with a newline. YAML without anchors or aliases (a reader
 * follows `$ref`s, not YAML's own references) and without folded lines; JSON indented by two.
 * Both keep the document's key order, so equal documents give equal text.
 */
export function renderDocument(document: JsonObject, format: AsyncApiFormat): string {
  return format === 'json'
    ? `${JSON.stringify(document, null, 2)}\n`
    : stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}
