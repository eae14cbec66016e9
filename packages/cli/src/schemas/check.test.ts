import { parseAvroType } from '@troupe/kit';
import { explainIncompatibility } from './check';

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
