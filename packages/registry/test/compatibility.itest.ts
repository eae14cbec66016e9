import type { RunningRegistry } from '@troupe/registry';
import { api, recordSchema, RegistryFixture, uniqueTopic } from './support';

/** Compatibility levels as a client sees them over HTTP: 409 on register, answers from /compatibility. */
describe('compatibility over HTTP', () => {
  const fixture = new RegistryFixture();
  let registry: RunningRegistry;
  let http: ReturnType<typeof api>;
  beforeAll(async () => {
    registry = await fixture.start(uniqueTopic('compat'));
    http = api(registry.url);
  });
  afterAll(() => fixture.cleanUp());

  const id = { name: 'id', type: 'int' };
  const name = { name: 'name', type: 'string' };
  const user = (fields: object[]): object => recordSchema('User', fields);
  const v1 = user([id, name]);

  const evolutions = {
    addWithDefault: user([id, name, { name: 'email', type: 'string', default: '' }]),
    addWithoutDefault: user([id, name, { name: 'email', type: 'string' }]),
    removeField: user([id]),
    intToLong: user([{ name: 'id', type: 'long' }, name]),
    stringToInt: user([id, { name: 'name', type: 'int' }]),
    renameWithAlias: user([id, { name: 'fullName', type: 'string', aliases: ['name'] }]),
  };
  type Evolution = keyof typeof evolutions;

  const accepted: Record<string, Evolution[]> = {
    NONE: [
      'addWithDefault',
      'addWithoutDefault',
      'removeField',
      'intToLong',
      'stringToInt',
      'renameWithAlias',
    ],
    BACKWARD: ['addWithDefault', 'removeField', 'intToLong', 'renameWithAlias'],
    BACKWARD_TRANSITIVE: ['addWithDefault', 'removeField', 'intToLong', 'renameWithAlias'],
    FORWARD: ['addWithDefault', 'addWithoutDefault'],
    FORWARD_TRANSITIVE: ['addWithDefault', 'addWithoutDefault'],
    FULL: ['addWithDefault'],
    FULL_TRANSITIVE: ['addWithDefault'],
  };

  for (const [level, ok] of Object.entries(accepted)) {
    it(`${level} accepts ${ok.join(', ')} and rejects the rest`, async () => {
      const outcomes: Record<string, number> = {};
      for (const evolution of Object.keys(evolutions) as Evolution[]) {
        const subject = `${level}-${evolution}`;
        expect((await http.put(`/config/${subject}`, { compatibility: level })).body).toEqual({
          compatibility: level,
        });
        expect((await http.register(subject, v1)).status).toBe(200);
        const check = await http.post<{ is_compatible: boolean }>(
          `/compatibility/subjects/${subject}/versions`,
          {
            schema: JSON.stringify(evolutions[evolution]),
          },
        );
        const registered = await http.register(subject, evolutions[evolution]);
        outcomes[evolution] = registered.status;
        // The dry run and the real registration agree.
        expect(check.body.is_compatible).toBe(registered.status === 200);
        if (registered.status === 409) expect(registered.body.error_code).toBe(409);
      }
      const expected = Object.fromEntries(
        (Object.keys(evolutions) as Evolution[]).map((e) => [e, ok.includes(e) ? 200 : 409]),
      );
      expect(outcomes).toEqual(expected);
    });
  }

  it('checks only the latest version unless the level is transitive', async () => {
    const a = { name: 'a', type: 'int' };
    const history = [user([a]), user([a, { name: 'b', type: 'string', default: '' }])];
    const next = user([a, { name: 'b', type: 'string' }]); // reads v2 data, not v1 data
    for (const [level, status] of [
      ['BACKWARD', 200],
      ['BACKWARD_TRANSITIVE', 409],
    ] as const) {
      const subject = `history-${level}`;
      await http.put(`/config/${subject}`, { compatibility: level });
      for (const schema of history) expect((await http.register(subject, schema)).status).toBe(200);
      expect((await http.register(subject, next)).status).toBe(status);
    }
  });

  it('under a transitive level, checks every version without a version in the path, only the one named with it', async () => {
    // v3 makes b required: it reads v2 data (which has b) but not v1 data (which does not).
    const a = { name: 'a', type: 'int' };
    const history = [user([a]), user([a, { name: 'b', type: 'string', default: '' }])];
    const v3 = user([a, { name: 'b', type: 'string' }]);
    for (const level of ['BACKWARD_TRANSITIVE', 'FULL_TRANSITIVE']) {
      const subject = `one-or-all-${level}`;
      await http.put(`/config/${subject}`, { compatibility: level });
      for (const schema of history) expect((await http.register(subject, schema)).status).toBe(200);
      const check = (path: string) =>
        http.post<{ is_compatible: boolean; messages: string[] }>(
          `/compatibility/subjects/${subject}/versions${path}?verbose=true`,
          { schema: JSON.stringify(v3) },
        );

      // Versionless: what registration checks, so it agrees with the 409.
      const all = await check('');
      expect(all.body.is_compatible).toBe(false);
      expect(all.body.messages).toEqual([expect.stringMatching(/version 1\b.*\bb\b/)]);
      expect((await http.register(subject, v3)).status).toBe(409);
      // A version in the path, `latest` included: that version alone, in the level's direction.
      expect((await check('/latest')).body).toEqual({ is_compatible: true, messages: [] });
      expect((await check('/2')).body).toEqual({ is_compatible: true, messages: [] });
      expect((await check('/1')).body.is_compatible).toBe(false);
    }
  });

  it('answers /compatibility per version, with reasons when verbose', async () => {
    const subject = 'verbose-value';
    await http.register(subject, v1);
    const body = { schema: JSON.stringify(evolutions.addWithoutDefault) };
    expect((await http.post(`/compatibility/subjects/${subject}/versions/1`, body)).body).toEqual({
      is_compatible: false,
    });
    const verbose = await http.post<{ is_compatible: boolean; messages: string[] }>(
      `/compatibility/subjects/${subject}/versions/latest?verbose=true`,
      body,
    );
    expect(verbose.body.is_compatible).toBe(false);
    expect(verbose.body.messages).toEqual([expect.stringMatching(/version 1.*email/)]);
    const good = await http.post(`/compatibility/subjects/${subject}/versions?verbose=true`, {
      schema: JSON.stringify(evolutions.addWithDefault),
    });
    expect(good.body).toEqual({ is_compatible: true, messages: [] });
    // A new subject accepts anything; a missing version of an existing one is 40402.
    expect(
      (await http.post('/compatibility/subjects/nobody-value/versions/latest', body)).body,
    ).toEqual({ is_compatible: true });
    expect(
      (await http.post(`/compatibility/subjects/${subject}/versions/9`, body)).body,
    ).toMatchObject({ error_code: 40402 });
  });

  it('follows the global level until a subject sets its own, and falls back when it is deleted', async () => {
    const subject = 'global-value';
    expect((await http.get('/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await http.get(`/config/${subject}`)).body).toMatchObject({ error_code: 40408 });
    expect((await http.get(`/config/${subject}?defaultToGlobal=true`)).body).toEqual({
      compatibilityLevel: 'BACKWARD',
    });

    await http.register(subject, v1);
    expect((await http.register(subject, evolutions.stringToInt)).status).toBe(409);
    expect((await http.put('/config', { compatibility: 'NONE' })).body).toEqual({
      compatibility: 'NONE',
    });
    try {
      expect((await http.register(subject, evolutions.stringToInt)).status).toBe(200);
      await http.put(`/config/${subject}`, { compatibility: 'FULL' });
      expect((await http.register(subject, evolutions.addWithoutDefault)).status).toBe(409);
      expect((await http.del(`/config/${subject}`)).body).toEqual({ compatibilityLevel: 'FULL' });
      expect((await http.register(subject, evolutions.addWithoutDefault)).status).toBe(200);
      expect((await http.del(`/config/${subject}`)).body).toMatchObject({ error_code: 40401 });
    } finally {
      await http.put('/config', { compatibility: 'BACKWARD' });
    }
  });
});
