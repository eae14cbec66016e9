import { ConfigError } from '@troupe/kit';
import { declaredDefault, readBoolean, readDuration, readNumber, readString } from './env';

const declared = (name: string, value: string) => ({
  name,
  default: value,
  description: 'What it does.',
  fromFile: true,
});

describe('readers given a declaration', () => {
  it('fall back to the default the declaration states, parsed as the reader parses', () => {
    expect(readDuration({}, declared('TROUPE_T', '2s'))).toBe(2_000);
    expect(readNumber({}, declared('TROUPE_N', '0.25'), { min: 0, max: 1 })).toBe(0.25);
    expect(readString({}, declared('TROUPE_S', 'x'))).toBe('x');
    expect(readBoolean({}, declared('TROUPE_B', 'false'))).toBe(false);
  });

  it('read and validate the declared name as the name-and-fallback readers do', () => {
    expect(readDuration({ TROUPE_T: '250ms' }, declared('TROUPE_T', '2s'))).toBe(250);
    expect(() =>
      readDuration({ TROUPE_T: '5s' }, declared('TROUPE_T', '2s'), { maxMs: 1_000 }),
    ).toThrow(ConfigError);
    expect(() =>
      readNumber({ TROUPE_N: '2' }, declared('TROUPE_N', '0'), { min: 0, max: 1 }),
    ).toThrow('TROUPE_N: expected a number between 0 and 1');
  });

  it('refuse a declaration whose default they cannot use: a programming error, not a setting', () => {
    expect(() => declaredDefault(declared('TROUPE_R', 'required'))).toThrow('states no default');
    expect(() => readDuration({}, declared('TROUPE_T', 'soon'))).toThrow('not a duration');
    expect(() => readBoolean({}, declared('TROUPE_B', 'maybe'))).toThrow('not true or false');
  });
});
