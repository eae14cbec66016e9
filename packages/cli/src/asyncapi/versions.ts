import { AVRO_CONTENT_TYPE } from '@troupe/kit/internal';

/**
 * The specifications the document follows: AsyncAPI 3.0.0 and the Kafka bindings 0.5.0 (the
 * versions @asyncapi/parser 3 validates against, through @asyncapi/specs).
 */
export const ASYNCAPI_VERSION = '3.0.0';
export const KAFKA_BINDING_VERSION = '0.5.0';

/** Payloads are the .avsc files as written: Avro 1.9 schemas in JSON (an AsyncAPI 3 format). */
export const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';

/**
 * The messages' contentType: what the kit writes in each record's `content-type` header (the
 * CloudEvents Kafka binding's datacontenttype), Avro binary in the Confluent wire format.
 */
export const MESSAGE_CONTENT_TYPE = AVRO_CONTENT_TYPE;
