import { formatTable, shorten } from './table';
import { positiveInteger } from './options';

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      formatTable(
        ['A', 'LONG HEADER', 'C'],
        [
          ['wide cell', 'x', ''],
          ['y', 'z', 'last'],
        ],
      ),
    ).toEqual(['A          LONG HEADER  C', 'wide cell  x', 'y          z            last']);
  });
});

describe('shorten', () => {
  it('puts text on one line and cuts it with an ellipsis', () => {
    expect(shorten('a\n  b', 10)).toBe('a b');
    expect(shorten('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('positiveInteger', () => {
  it('accepts positive integers and names the flag otherwise', () => {
    expect(positiveInteger('12', '--limit')).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'ten', ''])
      expect(() => positiveInteger(bad, '--limit')).toThrow(
        `--limit: expected a positive integer, found "${bad}"`,
      );
  });
});
