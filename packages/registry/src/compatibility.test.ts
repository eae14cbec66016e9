import { Type } from 'avsc';
import { checkCompatibility, COMPATIBILITY_LEVELS, type CompatibilityLevel } from './compatibility';

const record = (fields: object[], extra: object = {}): Type =>
  Type.forSchema({
    type: 'record',
    name: 'User',
    namespace: 'troupe.test',
    fields,
    ...extra,
  } as never);

const id = { name: 'id', type: 'int' };
const name = { name: 'name', type: 'string' };
const base = record([id, name]);

/** Each evolution of `base`, and which levels accept it as the next version. */
const evolutions: Record<string, { schema: Type; accepted: CompatibilityLevel[] }> = {
  'add a field with a default': {
    schema: record([id, name, { name: 'email', type: 'string', default: '' }]),
    accepted: [...COMPATIBILITY_LEVELS],
  },
  'add a field without a default': {
    schema: record([id, name, { name: 'email', type: 'string' }]),
    accepted: ['NONE', 'FORWARD', 'FORWARD_TRANSITIVE'],
  },
  'remove a field that has no default': {
    schema: record([id]),
    accepted: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  },
  'promote int to long': {
    schema: record([{ name: 'id', type: 'long' }, name]),
    accepted: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  },
  'change string to int': {
    schema: record([id, { name: 'name', type: 'int' }]),
    accepted: ['NONE'],
  },
  'rename a field, with an alias for the old name': {
    schema: record([id, { name: 'fullName', type: 'string', aliases: ['name'] }]),
    accepted: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  },
  'rename a field without an alias': {
    // Both ways a reader misses a field it has no default for.
    schema: record([id, { name: 'fullName', type: 'string' }]),
    accepted: ['NONE'],
  },
  'make a field optional (string → union with null)': {
    schema: record([id, { name: 'name', type: ['null', 'string'], default: null }]),
    accepted: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  },
  'change the namespace': {
    schema: Type.forSchema({
      type: 'record',
      name: 'User',
      namespace: 'other',
      fields: [id, name],
    } as never),
    accepted: ['NONE'],
  },
};

describe('checkCompatibility against one previous version', () => {
  for (const [evolution, { schema, accepted }] of Object.entries(evolutions)) {
    for (const level of COMPATIBILITY_LEVELS) {
      const expected = accepted.includes(level);
      it(`${level}: ${evolution} is ${expected ? 'accepted' : 'rejected'}`, () => {
        const result = checkCompatibility(schema, [{ version: 1, type: base }], level);
        expect(result.compatible).toBe(expected);
        expect(result.messages.length === 0).toBe(expected);
      });
    }
  }

  it('says which version could not be read, and why', () => {
    const result = checkCompatibility(
      evolutions['add a field without a default']!.schema,
      [{ version: 3, type: base }],
      'BACKWARD',
    );
    expect(result.messages).toEqual([
      expect.stringMatching(
        /new schema cannot read data written with version 3: no matching field for default-less troupe\.test\.User\.email/,
      ),
    ]);
  });

  it('reports both directions under FULL', () => {
    const result = checkCompatibility(
      evolutions['change string to int']!.schema,
      [{ version: 1, type: base }],
      'FULL',
    );
    expect(result.messages).toHaveLength(2);
    expect(result.messages[0]).toMatch(/^new schema cannot read data written with version 1/);
    expect(result.messages[1]).toMatch(/^version 1 cannot read data written with new schema/);
  });

  it('accepts anything into an empty subject', () => {
    for (const level of COMPATIBILITY_LEVELS)
      expect(checkCompatibility(base, [], level).compatible).toBe(true);
  });

  it('accepts enum symbols added at the end for BACKWARD, and removed ones only with a reader default', () => {
    const enumOf = (symbols: string[], extra: object = {}): Type =>
      Type.forSchema({ type: 'enum', name: 'Colour', symbols, ...extra } as never);
    const v1 = [{ version: 1, type: enumOf(['RED', 'GREEN']) }];
    expect(checkCompatibility(enumOf(['RED', 'GREEN', 'BLUE']), v1, 'BACKWARD').compatible).toBe(
      true,
    );
    expect(checkCompatibility(enumOf(['RED', 'GREEN', 'BLUE']), v1, 'FORWARD').compatible).toBe(
      false,
    );
    const v1WithDefault = [{ version: 1, type: enumOf(['RED', 'GREEN'], { default: 'RED' }) }];
    expect(
      checkCompatibility(enumOf(['RED', 'GREEN', 'BLUE']), v1WithDefault, 'FORWARD').compatible,
    ).toBe(true);
  });
});

describe('checkCompatibility across several versions', () => {
  const a = { name: 'a', type: 'int' };
  const bWithDefault = { name: 'b', type: 'string', default: '' };
  const bRequired = { name: 'b', type: 'string' };

  it('BACKWARD checks only the latest; BACKWARD_TRANSITIVE checks every version', () => {
    // v3 makes b required: it reads v2 data (which has b) but not v1 data (which does not).
    const history = [
      { version: 1, type: record([a]) },
      { version: 2, type: record([a, bWithDefault]) },
    ];
    const v3 = record([a, bRequired]);
    expect(checkCompatibility(v3, history, 'BACKWARD').compatible).toBe(true);
    const transitive = checkCompatibility(v3, history, 'BACKWARD_TRANSITIVE');
    expect(transitive.compatible).toBe(false);
    expect(transitive.messages).toEqual([expect.stringContaining('version 1')]);
  });

  it('FORWARD checks only the latest; FORWARD_TRANSITIVE checks every version', () => {
    // v3 drops b: v2 fills it from its default, v1 has no default for it.
    const history = [
      { version: 1, type: record([a, bRequired]) },
      { version: 2, type: record([a, bWithDefault]) },
    ];
    const v3 = record([a]);
    expect(checkCompatibility(v3, history, 'FORWARD').compatible).toBe(true);
    expect(checkCompatibility(v3, history, 'FORWARD_TRANSITIVE').compatible).toBe(false);
  });

  it('FULL checks only the latest; FULL_TRANSITIVE checks every version both ways', () => {
    const history = [
      { version: 1, type: record([a]) },
      { version: 2, type: record([a, bWithDefault]) },
    ];
    const v3 = record([a, bRequired]);
    expect(checkCompatibility(v3, history, 'FULL').compatible).toBe(true);
    expect(checkCompatibility(v3, history, 'FULL_TRANSITIVE').compatible).toBe(false);
  });

  it('against one chosen version (POST .../versions/{v}), a transitive level is just its direction', () => {
    const v1 = { version: 1, type: record([a]) };
    const v2 = { version: 2, type: record([a, bWithDefault]) };
    const v3 = record([a, bRequired]);
    for (const level of ['BACKWARD_TRANSITIVE', 'FULL_TRANSITIVE'] as const) {
      expect(checkCompatibility(v3, [v2], level).compatible).toBe(true);
      expect(checkCompatibility(v3, [v1], level).compatible).toBe(false);
    }
  });

  it('NONE accepts anything', () => {
    const history = [{ version: 1, type: record([a]) }];
    expect(checkCompatibility(Type.forSchema('string'), history, 'NONE').compatible).toBe(true);
  });
});
