import * as avro from 'avsc';
import { PermanentError } from '../errors';
import { Headers, headerString, type RawHeaders } from '../events/headers';
import type { CatalogEntry, SchemaCatalog } from '../schemas/catalog';
import { avroTypeOptions } from '../schemas/logical-types';
import { DecodeError, type DecodedEvent, type EventCodec } from './codec';
import { RegistryError, SchemaRegistryClient } from './registry-client';
import { subjectNamer, type SubjectNameStrategy, type SubjectNamer } from './subject-strategy';
import { validationErrorFor } from './validation-error';
import { WIRE_HEADER_SIZE, readSchemaId, writeWireHeader } from './wire-format';

/** What an AvroCodec needs: the registry, the catalog of schemas, and how subjects are named. */
export interface AvroCodecOptions {
  /** A client, or the registry's base URL. */
  registry: SchemaRegistryClient | string;
  /** The schemas this service writes and reads with, by event type. */
  catalog: SchemaCatalog;
  /** Default `topic-record-name` (see subject-strategy.ts for why). */
  subjectStrategy?: SubjectNameStrategy | SubjectNamer;
  /**
   * Register a schema on its first use (default true, convenient in development). With false,
   * the schema must already be registered (`troupe schemas register` in CI) and is looked up,
   * so a service can never create a new version on its own.
   */
  autoRegister?: boolean;
}

interface Writer {
  type: avro.Type;
  schemaId: number;
}

interface Reader {
  eventType: string;
  type: avro.Type;
  /** By writer schema id: the resolver, null when the writer is the reader's own schema. */
  resolvers: Map<number, avro.Resolver | null>;
}

interface WriterSchema {
  id: number;
  type: avro.Type;
}

/** Encode was given an event type the catalog has no schema for: a bug, retrying cannot help. */
export class UnknownEventTypeError extends PermanentError {
  constructor(eventType: string, catalog: SchemaCatalog) {
    super(
      `no schema for event type "${eventType}"; the catalog has ${catalog.eventTypes.join(', ')}`,
      {
        code: 'UNKNOWN_EVENT_TYPE',
      },
    );
  }
}

const INITIAL_SCRATCH_BYTES = 64 * 1024;
/**
 * Writer schemas are other services' schemas: parse leniently (wrap ambiguous unions) so any
 * registry-valid writer can still be resolved against our unwrapped reader. A fresh options
 * object each time: avsc keeps its registry of named types in it.
 */
function writerTypeOptions(): Partial<avro.ForSchemaOptions> {
  return { ...avroTypeOptions(), wrapUnions: 'auto' };
}

/**
 * Avro in the Confluent wire format, with schemas from a Confluent-compatible registry.
 *
 * Hot path (ids cached): encode is one avsc write into a reusable scratch buffer plus one
 * Buffer allocation; decode is a header read, two Map lookups and one avsc read. Registry calls
 * happen once per subject (encode) and once per writer schema id (decode), de-duplicated while
 * in flight. A registry that cannot be reached surfaces as RegistryError (retryable), never as
 * DecodeError, so a registry outage does not dead-letter good events.
 */
export class AvroCodec implements EventCodec {
  private readonly registry: SchemaRegistryClient;
  private readonly catalog: SchemaCatalog;
  private readonly subjectOf: SubjectNamer;
  private readonly autoRegister: boolean;
  private readonly readers = new Map<string, Reader>();
  /** topic → event type → writer. Nested maps: no key string built per message. */
  private readonly writers = new Map<string, Map<string, Writer>>();
  /** Keyed by subject and event type: under `topic-name` one subject holds several event types. */
  private readonly schemaIds = new Map<string, Promise<number>>();
  private readonly writerSchemas = new Map<number, WriterSchema>();
  private readonly pendingWriterSchemas = new Map<number, Promise<WriterSchema>>();
  private scratch = Buffer.allocUnsafe(INITIAL_SCRATCH_BYTES);

  constructor(options: AvroCodecOptions) {
    this.registry =
      typeof options.registry === 'string'
        ? new SchemaRegistryClient(options.registry)
        : options.registry;
    this.catalog = options.catalog;
    this.subjectOf = subjectNamer(options.subjectStrategy);
    this.autoRegister = options.autoRegister ?? true;
    for (const entry of this.catalog.entries()) {
      this.readers.set(entry.name, {
        eventType: entry.name,
        type: entry.type,
        resolvers: new Map(),
      });
    }
  }

  /** The registry subject `eventType` is registered under when written to `topic`. */
  subjectFor(topic: string, eventType: string): string {
    return this.subjectOf(topic, eventType);
  }

  encode(topic: string, type: string, payload: unknown): Promise<Buffer> {
    const writer = this.writers.get(topic)?.get(type);
    if (writer === undefined) return this.encodeFirst(topic, type, payload);
    try {
      return Promise.resolve(this.write(writer, type, payload));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  decode(
    _topic: string,
    type: string | undefined,
    value: Buffer | null,
    headers?: RawHeaders,
  ): Promise<DecodedEvent> {
    try {
      const schemaId = readSchemaId(value);
      const eventType = type ?? headerString(headers, Headers.type);
      const writer = this.writerSchemas.get(schemaId);
      if (writer === undefined) return this.decodeFirst(schemaId, eventType, value as Buffer);
      return Promise.resolve(this.read(writer, eventType, value as Buffer));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async encodeFirst(topic: string, type: string, payload: unknown): Promise<Buffer> {
    const entry = this.catalog.get(type);
    if (!entry) throw new UnknownEventTypeError(type, this.catalog);
    // Validate before any registry call: a bad payload is the caller's bug, not an outage.
    if (!entry.type.isValid(payload)) throw validationErrorFor(type, entry.type, payload);
    const schemaId = await this.schemaIdFor(this.subjectOf(topic, type), entry);
    const writer: Writer = { type: entry.type, schemaId };
    let byType = this.writers.get(topic);
    if (!byType) this.writers.set(topic, (byType = new Map()));
    byType.set(type, writer);
    // Our own messages decode without asking the registry for the schema we just sent it.
    if (!this.writerSchemas.has(schemaId))
      this.writerSchemas.set(schemaId, { id: schemaId, type: entry.type });
    return this.write(writer, type, payload);
  }

  private schemaIdFor(subject: string, entry: CatalogEntry): Promise<number> {
    const cacheKey = `${subject}\u0000${entry.name}`;
    let id = this.schemaIds.get(cacheKey);
    if (!id) {
      id = this.autoRegister
        ? this.registry.register(subject, entry.schemaText)
        : this.lookUp(subject, entry);
      this.schemaIds.set(cacheKey, id);
      // Forget failures so a later call retries (the registry may have been briefly down).
      id.catch(() => this.schemaIds.delete(cacheKey));
    }
    return id;
  }

  private async lookUp(subject: string, entry: CatalogEntry): Promise<number> {
    const found = await this.registry.lookup(subject, entry.schemaText);
    if (found) return found.id;
    throw new RegistryError(
      'REGISTRY_REJECTED',
      `subject "${subject}" has no version matching ${entry.name} from ${entry.source}; ` +
        'register it first (troupe schemas register) or enable autoRegister',
      404,
    );
  }

  private write(writer: Writer, eventType: string, payload: unknown): Buffer {
    let end: number;
    try {
      end = writer.type.encode(payload, this.scratch, WIRE_HEADER_SIZE);
      if (end < 0) {
        // Too small: avsc returned minus the missing byte count. Grow once and write again.
        this.scratch = Buffer.allocUnsafe(
          Math.max(this.scratch.length * 2, this.scratch.length - end),
        );
        end = writer.type.encode(payload, this.scratch, WIRE_HEADER_SIZE);
      }
    } catch (error) {
      throw validationErrorFor(eventType, writer.type, payload) ?? error;
    }
    const out = Buffer.allocUnsafe(end);
    writeWireHeader(out, writer.schemaId);
    this.scratch.copy(out, WIRE_HEADER_SIZE, WIRE_HEADER_SIZE, end);
    return out;
  }

  private async decodeFirst(
    schemaId: number,
    eventType: string | undefined,
    value: Buffer,
  ): Promise<DecodedEvent> {
    let pending = this.pendingWriterSchemas.get(schemaId);
    if (!pending) {
      pending = this.fetchWriterSchema(schemaId);
      this.pendingWriterSchemas.set(schemaId, pending);
      const forget = (): void => void this.pendingWriterSchemas.delete(schemaId);
      pending.then(forget, forget);
    }
    return this.read(await pending, eventType, value);
  }

  private async fetchWriterSchema(id: number): Promise<WriterSchema> {
    const text = await this.registry.schemaById(id);
    if (text === undefined) {
      throw new DecodeError(
        'UNKNOWN_SCHEMA_ID',
        `expected a schema id known to the registry at ${this.registry.url}, found id ${id} (404)`,
      );
    }
    let type: avro.Type;
    try {
      type = avro.Type.forSchema(JSON.parse(text) as avro.Schema, writerTypeOptions());
    } catch (error) {
      throw new DecodeError(
        'UNRESOLVABLE_SCHEMA',
        `writer schema ${id} from the registry does not parse: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const writer = { id, type };
    this.writerSchemas.set(id, writer);
    return writer;
  }

  private read(writer: WriterSchema, eventType: string | undefined, value: Buffer): DecodedEvent {
    const name = eventType ?? writer.type.name;
    const reader = name === undefined ? undefined : this.readers.get(name);
    if (reader === undefined) {
      throw new DecodeError(
        'UNKNOWN_EVENT_TYPE',
        `expected one of the event types this service reads (${this.catalog.eventTypes.join(', ')}), ` +
          `found ${JSON.stringify(name)} (writer schema ${writer.id})`,
      );
    }
    let resolver = reader.resolvers.get(writer.id);
    if (resolver === undefined) {
      resolver = this.resolverFor(reader, writer);
      reader.resolvers.set(writer.id, resolver);
    }
    let decoded: { value: unknown; offset: number };
    try {
      decoded = reader.type.decode(value, WIRE_HEADER_SIZE, resolver ?? undefined);
    } catch (error) {
      throw new DecodeError(
        'INVALID_BODY',
        `expected a ${reader.eventType} body written with schema ${writer.id}, found bytes that do not decode: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (decoded.offset < 0) {
      throw new DecodeError(
        'TRUNCATED',
        `expected a complete ${reader.eventType} body written with schema ${writer.id}, found ${value.length - WIRE_HEADER_SIZE} body bytes that end mid-value`,
      );
    }
    if (decoded.offset !== value.length) {
      throw new DecodeError(
        'INVALID_BODY',
        `expected a ${reader.eventType} body of ${decoded.offset - WIRE_HEADER_SIZE} bytes (schema ${writer.id}), found ${value.length - decoded.offset} trailing bytes`,
      );
    }
    return { type: reader.eventType, payload: decoded.value, schemaId: writer.id };
  }

  private resolverFor(reader: Reader, writer: WriterSchema): avro.Resolver | null {
    // Same canonical form = same binary layout: the reader reads it directly, no resolver needed.
    if (writer.type === reader.type || writer.type.equals(reader.type)) return null;
    try {
      return reader.type.createResolver(writer.type);
    } catch (error) {
      throw new DecodeError(
        'UNRESOLVABLE_SCHEMA',
        `reader schema ${reader.eventType} cannot read writer schema ${writer.id} (${writer.type.name ?? 'unnamed'}): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
