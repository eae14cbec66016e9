import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { api, endOffset, recordSchema, RegistryFixture, uniqueTopic, withAdmin } from './support';

/**
 * The topic is the registry's only state: restarts rebuild it, and instances sharing a topic agree on
 * ids and versions even when they write at the same moment.
 */
describe('registry state in the shared Kafka topic', () => {
  const fixture = new RegistryFixture();
  afterAll(() => fixture.cleanUp());

  const schemaN = (n: number): object =>
    recordSchema(`Event${n}`, [{ name: `field${n}`, type: 'string' }]);

  it('refuses a topic that is not compacted, naming the fix', async () => {
    const topic = fixture.track(uniqueTopic('not-compacted'));
    await withAdmin((admin) =>
      admin.createTopics([{ topic, partitions: 1, configs: { 'cleanup.policy': 'delete' } }]),
    );
    await expect(fixture.start(topic)).rejects.toThrow(
      /must have cleanup.policy=compact, found "delete"/,
    );
  });

  it('keeps ids, versions, deletions and config across a restart', async () => {
    const topic = uniqueTopic('restart');
    const first = await fixture.start(topic);
    const a = api(first.url);
    const idA = (await a.register('one-value', schemaN(1))).body.id;
    const idB = (await a.register('two-value', schemaN(2))).body.id;
    await a.put('/config/two-value', { compatibility: 'NONE' });
    const idC = (await a.register('two-value', schemaN(3))).body.id;
    expect((await a.del('/subjects/one-value')).body).toEqual([1]);
    await fixture.stop(first);

    const second = await fixture.start(topic);
    const b = api(second.url);
    expect((await b.get('/subjects')).body).toEqual(['two-value']);
    expect((await b.get('/subjects?deleted=true')).body).toEqual(['one-value', 'two-value']);
    expect((await b.get('/subjects/two-value/versions')).body).toEqual([1, 2]);
    expect((await b.get('/subjects/two-value/versions/2')).body).toMatchObject({
      id: idC,
      version: 2,
    });
    expect((await b.get('/config/two-value')).body).toEqual({ compatibilityLevel: 'NONE' });
    expect((await b.get(`/schemas/ids/${idA}`)).status).toBe(200); // soft-deleted schemas stay readable by id
    // Registering again after the restart finds the existing ids rather than making new ones.
    expect((await b.register('two-value', schemaN(2))).body.id).toBe(idB);
    const idD = (await b.register('three-value', schemaN(4))).body.id;
    expect(idD).toBe(Math.max(idA, idB, idC) + 1);
  });

  it('lets two instances on one topic see each other’s writes at once', async () => {
    const topic = uniqueTopic('pair');
    const [one, two] = await Promise.all([fixture.start(topic), fixture.start(topic)]);
    const clientOne = new SchemaRegistry({ host: one.url });
    const clientTwo = new SchemaRegistry({ host: two.url });

    const { id } = await clientOne.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schemaN(1)) },
      { subject: 'shared-value' },
    );
    // Read-your-writes across instances: no sleep, no retry.
    expect(await clientTwo.getLatestSchemaId('shared-value')).toBe(id);
    const encoded = await clientOne.encode(id, { field1: 'hello' });
    expect(await clientTwo.decode(encoded)).toEqual({ field1: 'hello' });
    // The same schema registered on the other instance gets the same id.
    const again = await clientTwo.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schemaN(1)) },
      { subject: 'copy-value' },
    );
    expect(again.id).toBe(id);
    expect((await api(one.url).get(`/schemas/ids/${id}/versions`)).body).toEqual([
      { subject: 'copy-value', version: 1 },
      { subject: 'shared-value', version: 1 },
    ]);
  });

  it('gives distinct ids to different schemas registered concurrently on two instances', async () => {
    const topic = uniqueTopic('race');
    const [one, two] = await Promise.all([fixture.start(topic), fixture.start(topic)]);
    const a = api(one.url);
    const b = api(two.url);
    const perInstance = 12;

    // Interleaved so that both instances decide on the same "next id" and race for it.
    const results = await Promise.all(
      Array.from({ length: perInstance * 2 }, (_, i) => {
        const target = i % 2 === 0 ? a : b;
        return target.register(`race-${i}-value`, schemaN(i)).then((r) => ({ i, ...r }));
      }),
    );
    for (const r of results) expect(r.status).toBe(200);
    const ids = results.map((r) => r.body.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => x - y)).toEqual(
      Array.from({ length: ids.length }, (_, i) => i + 1),
    );

    // The race really happened: each lost write left a record and its tombstone beyond the 24 winners.
    expect(await endOffset(topic)).toBeGreaterThan(ids.length);
    // Both instances, and a fresh one replaying the topic, agree on every id.
    const three = await fixture.start(topic);
    for (const { i, body } of results) {
      for (const url of [one.url, two.url, three.url]) {
        const found = await api(url).get<{ id: number; version: number }>(
          `/subjects/race-${i}-value/versions/latest`,
        );
        expect(found.body).toMatchObject({ id: body.id, version: 1 });
      }
    }
  });

  it('gives one version to each of two schemas racing for the same subject', async () => {
    const topic = uniqueTopic('versions');
    const [one, two] = await Promise.all([fixture.start(topic), fixture.start(topic)]);
    await api(one.url).put('/config', { compatibility: 'NONE' });
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const [x, y] = await Promise.all([
        api(one.url).register('contested-value', schemaN(100 + 2 * round)),
        api(two.url).register('contested-value', schemaN(101 + 2 * round)),
      ]);
      expect([x.status, y.status]).toEqual([200, 200]);
      expect(x.body.id).not.toBe(y.body.id);
    }
    const versions = (await api(two.url).get<number[]>('/subjects/contested-value/versions')).body;
    expect(versions).toEqual(Array.from({ length: rounds * 2 }, (_, i) => i + 1));
    const ids = await Promise.all(
      versions.map(
        async (v) =>
          (await api(one.url).get<{ id: number }>(`/subjects/contested-value/versions/${v}`)).body
            .id,
      ),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives the same schema racing into two subjects on two instances one id', async () => {
    const topic = uniqueTopic('same');
    const [one, two] = await Promise.all([fixture.start(topic), fixture.start(topic)]);
    for (let round = 0; round < 5; round++) {
      const schema = schemaN(200 + round);
      const [x, y] = await Promise.all([
        api(one.url).register(`left-${round}-value`, schema),
        api(two.url).register(`right-${round}-value`, schema),
      ]);
      expect(x.body.id).toBe(y.body.id);
    }
  });
});
