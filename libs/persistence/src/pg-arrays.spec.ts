import { intArrayLiteral, textArrayLiteral } from './pg-arrays';

// node-postgres's own literal of an array parameter (what it sends for a JavaScript array).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => string };

describe('array literals: what node-postgres sends for the same array', () => {
  it.each([
    [['a']],
    [['29236', 'residents', '2020-08-25']],
    [['NULL', 'null', '', ' x ', 'a,b', '{}', 'Bình Minh']],
    [['say "hi"', 'back\\slash', '\\"']],
  ])('text %#', (values) => {
    expect(textArrayLiteral(values)).toBe(prepareValue(values));
  });

  it('an empty array', () => {
    expect(textArrayLiteral([])).toBe('{}');
    expect(intArrayLiteral([])).toBe('{}');
  });

  it('integers, without quotes (the same values once cast)', () => {
    expect(intArrayLiteral([0, 1, -2, 999_999_999])).toBe('{0,1,-2,999999999}');
    expect(() => intArrayLiteral([1.5])).toThrow(RangeError);
    expect(() => intArrayLiteral([NaN])).toThrow(RangeError);
  });
});
