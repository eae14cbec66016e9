import { createSchemaCatalog, type SchemaRegistryClient } from '@troupe/kit';
import {
  parseAvroType,
  type CompatibilityResult,
  type RegisteredSchema,
} from '@troupe/kit/internal';
import type { CliContext } from '../context';
import { checkSchemas, explainIncompatibility } from './check';
import type { Contracts } from './contracts';

const v1 = {
  type: 'record',
  name: 'Thing',
  namespace: 'test',
  fields: [{ name: 'id', type: 'string' }],
};
const withRequiredField = { ...v1, fields: [...v1.fields, { name: 'size', type: 'int' }] };
const withDefaultedField = {
  ...v1,
  fields: [...v1.fields, { name: 'size', type: 'int', default: 0 }],
};

describe('explainIncompatibility', () => {
  it('says why a new required field breaks BACKWARD compatibility', () => {
    const why = explainIncompatibility(
      parseAvroType(withRequiredField),
      JSON.stringify(v1),
      'BACKWARD',
    );
    expect(why).toMatch(
      /^the new schema cannot read data written with the registered one \(.*size.*\)$/,
    );
  });

  it('finds nothing wrong with an added field that has a default', () => {
    expect(
      explainIncompatibility(parseAvroType(withDefaultedField), JSON.stringify(v1), 'FULL'),
    ).toBeUndefined();
  });

  it('checks the forward direction under FORWARD', () => {
    // Removing a field without default: new data lacks what old readers require.
    const why = explainIncompatibility(
      parseAvroType(v1),
      JSON.stringify(withRequiredField),
      'FORWARD',
    );
    expect(why).toMatch(
      /^readers of the registered schema cannot read data written with the new one/,
    );
    expect(
      explainIncompatibility(parseAvroType(v1), JSON.stringify(withRequiredField), 'BACKWARD'),
    ).toBeUndefined();
  });

  it('accepts anything under NONE', () => {
    expect(
      explainIncompatibility(parseAvroType(withRequiredField), JSON.stringify(v1), 'NONE'),
    ).toBeUndefined();
  });
});

describe('checkSchemas names the version a schema conflicts with', () => {
  const subject = 'things-test.Thing';
  const registered = (version: number): RegisteredSchema => ({
    subject,
    version,
    id: version * 10,
    schema: JSON.stringify(version === 1 ? v1 : withDefaultedField),
  });
  const contracts: Contracts = {
    cwd: '/repo',
    schemasDir: '/repo/schemas',
    topicsFile: '/repo/schemas/topics.json',
    catalog: createSchemaCatalog([
      { schema: withRequiredField, source: '/repo/schemas/test/Thing.avsc' },
    ]),
    topics: [{ name: 'things', partitions: 1, config: {}, eventTypes: ['test.Thing'] }],
  };
  // As Confluent words a verbose answer: the reasons, then the version, schema and level.
  const confluentReasons = [
    "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'size' at path " +
      "'/fields/1' in the new schema has no default value and is missing in the old schema', " +
      "additionalInfo:'size'}",
    '{oldSchemaVersion: 1}',
    `{oldSchema: '${JSON.stringify(v1)}'}`,
    "{compatibility: 'BACKWARD_TRANSITIVE'}",
  ];

  /** Three registered versions; the subject-wide check fails, `perVersion` says where. */
  function registry(perVersion: Record<number, CompatibilityResult>): SchemaRegistryClient {
    const fake: Partial<SchemaRegistryClient> = {
      url: 'http://registry.test',
      latest: async () => registered(3),
      version: async (_subject, version) => registered(version as number),
      versions: async () => [1, 2, 3],
      testCompatibility: async () => ({ compatible: false, messages: confluentReasons }),
      testCompatibilityWithVersion: async (_subject, version) => perVersion[version as number],
      compatibilityLevel: async () => 'BACKWARD_TRANSITIVE',
    };
    return fake as SchemaRegistryClient;
  }

  async function failureOf(client: SchemaRegistryClient): Promise<string> {
    const context: CliContext = { out: () => {}, err: () => {}, env: {}, cwd: '/repo' };
    const error: unknown = await checkSchemas(contracts, client, (t, e) => `${t}-${e}`, context)
      .then(() => undefined)
      .catch((thrown: unknown) => thrown);
    return (error as Error).message;
  }

  const ok = { compatible: true, messages: [] };

  it("an older version under a transitive level (v3 and v2 accept), with Confluent's description", async () => {
    const message = await failureOf(
      registry({ 3: ok, 2: ok, 1: { compatible: false, messages: confluentReasons } }),
    );
    expect(message).toBe(
      `${subject}: schemas/test/Thing.avsc is incompatible with version 1 (id 10) under ` +
        "BACKWARD_TRANSITIVE: The field 'size' at path '/fields/1' in the new schema has no " +
        'default value and is missing in the old schema',
    );
  });

  it('works out why itself when the registry gives no reasons', async () => {
    const message = await failureOf(
      registry({ 3: ok, 2: ok, 1: { compatible: false, messages: [] } }),
    );
    expect(message).toMatch(
      /incompatible with version 1 \(id 10\) under BACKWARD_TRANSITIVE: the new schema cannot read data written with the registered one \(.*size.*\)$/,
    );
  });
});
