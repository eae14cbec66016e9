import {
  contractsCatalog,
  EventTopics,
  Events,
  schemaSources,
  topicSpecs,
  type EventType,
} from './index';

/** The conventions of schemas/ (see schemas/README.md), checked on the embedded contracts. */
describe('@troupe/contracts', () => {
  const catalog = contractsCatalog();

  it('builds the catalog from the embedded schemas, one event type per file', () => {
    expect(catalog.eventTypes).toEqual(Object.values(Events).sort());
    expect(schemaSources).toHaveLength(catalog.eventTypes.length);
  });

  it('keeps each domain in its folder and in the namespace troupe.<folder>', () => {
    for (const { source, schema } of schemaSources) {
      const [folder, file] = source!.split('/');
      const { name, namespace } = schema as { name: string; namespace: string };
      expect(namespace).toBe(`troupe.${folder}`);
      expect(file).toBe(`${name}.avsc`);
    }
  });

  it("carries its topic's key field in every event, as a plain string", () => {
    for (const entry of catalog.entries()) {
      const fields = (entry.schema as { fields: { name: string; type: unknown }[] }).fields;
      const topic = topicSpecs.find((spec) => spec.eventTypes.includes(entry.name))!;
      const key = fields.find((field) => field.name === topic.key);
      expect(key).toBeDefined();
      expect(key!.type).toBe('string');
    }
  });

  it('puts every event type on exactly one topic', () => {
    const carried = topicSpecs.flatMap((topic) => topic.eventTypes);
    expect(carried.sort()).toEqual(catalog.eventTypes);
    for (const type of catalog.eventTypes) expect(EventTopics[type as EventType]).toBeDefined();
  });

  it('writes every timestamp as timestamp-millis', () => {
    for (const entry of catalog.entries()) {
      for (const field of (entry.schema as { fields: { name: string; type: unknown }[] }).fields) {
        if (/At$|Start$/.test(field.name))
          expect(field.type).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
      }
    }
  });
});
