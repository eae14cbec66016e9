import type { RunningRegistry } from '@troupe/registry';
import { api, recordSchema, RegistryFixture, uniqueTopic } from './support';

/** Soft and hard deletes with Confluent's rules: hard only after soft; ids are never reused. */
describe('deleting subjects and versions', () => {
  const fixture = new RegistryFixture();
  const topic = uniqueTopic('delete');
  let registry: RunningRegistry;
  let http: ReturnType<typeof api>;
  const schemaN = (n: number): object =>
    recordSchema('Item', [
      { name: 'a', type: 'int' },
      ...(n > 1 ? [{ name: `f${n}`, type: 'int', default: n }] : []),
    ]);

  beforeAll(async () => {
    registry = await fixture.start(topic);
    http = api(registry.url);
  });
  afterAll(() => fixture.cleanUp());

  it('soft-deletes a version, hides it unless ?deleted=true, and hard-deletes it only after that', async () => {
    const subject = 'versions-value';
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await http.register(subject, schemaN(n))).body.id);

    expect((await http.del(`/subjects/${subject}/versions/2?permanent=true`)).body).toMatchObject({
      error_code: 40407,
    });
    expect((await http.del(`/subjects/${subject}/versions/2`)).body).toBe(2);
    expect((await http.del(`/subjects/${subject}/versions/2`)).body).toMatchObject({
      error_code: 40406,
    });
    expect((await http.get(`/subjects/${subject}/versions`)).body).toEqual([1, 3]);
    expect((await http.get(`/subjects/${subject}/versions?deleted=true`)).body).toEqual([1, 2, 3]);
    expect((await http.get(`/subjects/${subject}/versions/2`)).body).toMatchObject({
      error_code: 40402,
    });
    expect((await http.get(`/subjects/${subject}/versions/2?deleted=true`)).body).toMatchObject({
      version: 2,
      id: ids[1],
    });
    expect((await http.get(`/schemas/ids/${ids[1]}`)).status).toBe(200);
    expect((await http.get(`/schemas/ids/${ids[1]}/versions`)).body).toEqual([]);
    expect((await http.get(`/schemas/ids/${ids[1]}/versions?deleted=true`)).body).toEqual([
      { subject, version: 2 },
    ]);

    expect((await http.del(`/subjects/${subject}/versions/2?permanent=true`)).body).toBe(2);
    expect((await http.get(`/subjects/${subject}/versions?deleted=true`)).body).toEqual([1, 3]);
    expect((await http.get(`/schemas/ids/${ids[1]}`)).body).toMatchObject({ error_code: 40403 });

    // `latest` soft-deletes the latest live version.
    expect((await http.del(`/subjects/${subject}/versions/latest`)).body).toBe(3);
    expect((await http.get(`/subjects/${subject}/versions/latest`)).body).toMatchObject({
      version: 1,
    });
  });

  it('soft-deletes a subject, then hard-deletes it; a new registration starts over without reusing ids', async () => {
    const subject = 'subject-value';
    const first = (await http.register(subject, schemaN(10))).body.id;
    const second = (await http.register(subject, schemaN(11))).body.id;

    expect((await http.del(`/subjects/${subject}?permanent=true`)).body).toMatchObject({
      error_code: 40405,
    });
    expect((await http.del(`/subjects/${subject}`)).body).toEqual([1, 2]);
    expect((await http.del(`/subjects/${subject}`)).body).toMatchObject({ error_code: 40404 });
    expect((await http.get('/subjects')).body).not.toContain(subject);
    expect((await http.get('/subjects?deleted=true')).body).toContain(subject);
    expect((await http.get(`/subjects/${subject}/versions`)).body).toMatchObject({
      error_code: 40401,
    });
    expect(
      (await http.post(`/subjects/${subject}`, { schema: JSON.stringify(schemaN(10)) })).body,
    ).toMatchObject({ error_code: 40401 });
    expect(
      (
        await http.post(`/subjects/${subject}?deleted=true`, {
          schema: JSON.stringify(schemaN(10)),
        })
      ).body,
    ).toMatchObject({ id: first, version: 1 });

    // Registering into a soft-deleted subject makes a new version; the old versions are not checked.
    const again = await http.register(subject, schemaN(10));
    expect(again.body.id).toBe(first);
    expect((await http.get(`/subjects/${subject}/versions`)).body).toEqual([3]);
    await http.del(`/subjects/${subject}`);

    expect((await http.del(`/subjects/${subject}?permanent=true`)).body).toEqual([1, 2, 3]);
    expect((await http.get('/subjects?deleted=true')).body).not.toContain(subject);
    expect((await http.get(`/schemas/ids/${second}`)).body).toMatchObject({ error_code: 40403 });

    const fresh = await http.register(subject, schemaN(12));
    expect(fresh.body.id).toBeGreaterThan(Math.max(first, second));
    expect((await http.get(`/subjects/${subject}/versions`)).body).toEqual([1]);
  });

  it('rebuilds the same state after a restart, deletions included', async () => {
    const before = {
      subjects: (await http.get('/subjects?deleted=true')).body,
      versions: (await http.get('/subjects/versions-value/versions?deleted=true')).body,
      latest: (await http.get('/subjects/subject-value/versions/latest')).body,
    };
    await fixture.stop(registry);
    registry = await fixture.start(topic);
    http = api(registry.url);
    expect({
      subjects: (await http.get('/subjects?deleted=true')).body,
      versions: (await http.get('/subjects/versions-value/versions?deleted=true')).body,
      latest: (await http.get('/subjects/subject-value/versions/latest')).body,
    }).toEqual(before);
    // Ids stay unused after the restart too.
    const latestId = (before.latest as { id: number }).id;
    expect((await http.register('after-restart-value', schemaN(20))).body.id).toBe(latestId + 1);
  });
});
