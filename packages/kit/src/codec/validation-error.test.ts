import { PermanentError } from '../errors';
import { parseAvroType } from '../schemas/logical-types';
import { ValidationError, validationErrorFor } from './validation-error';

const type = parseAvroType({
  type: 'record',
  name: 'Thing',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'count', type: 'int' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'level', type: { type: 'enum', name: 'Level', symbols: ['LOW', 'HIGH'] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'labels', type: { type: 'map', values: 'string' }, default: {} },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

const valid = {
  id: 'a',
  count: 1,
  at: new Date(0),
  level: 'LOW',
  tags: ['x'],
  labels: { k: 'v' },
  note: null,
};

describe('validationErrorFor', () => {
  it('accepts a valid payload, and missing fields that have defaults', () => {
    expect(validationErrorFor('test.Thing', type, valid)).toBeUndefined();
    expect(
      validationErrorFor('test.Thing', type, { ...valid, labels: undefined, note: undefined }),
    ).toBeUndefined();
  });

  it.each([
    [{ ...valid, id: undefined }, 'id', 'a string', 'nothing (the field is missing)'],
    [{ ...valid, count: 1.5 }, 'count', 'an int (32-bit integer)', 'number 1.5'],
    [{ ...valid, at: 1700000000000 }, 'at', 'a Date (timestamp-millis)', 'number 1700000000000'],
    [{ ...valid, at: new Date('nope') }, 'at', 'a Date (timestamp-millis)', 'an invalid Date'],
    [{ ...valid, level: 'MEDIUM' }, 'level', 'one of "LOW", "HIGH"', 'string "MEDIUM"'],
    [{ ...valid, tags: ['x', 2] }, 'tags.1', 'a string', 'number 2'],
    [{ ...valid, labels: { region: 3 } }, 'labels.region', 'a string', 'number 3'],
    [{ ...valid, note: 7 }, 'note', 'a null or a string', 'number 7'],
    [null, '', 'a record test.Thing', 'object null'],
  ])('reports the path, expected and found for %j', (payload, path, expected, found) => {
    const error = validationErrorFor('test.Thing', type, payload) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.fieldPath).toBe(path);
    expect(error.expected).toBe(expected);
    expect(error.found).toBe(found);
    expect(error.message).toContain(
      `test.Thing: invalid payload at ${path || '(the payload itself)'}`,
    );
  });
});
