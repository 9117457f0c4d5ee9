import { numberArray, timestampArray } from './pg-array';

describe('array literals', () => {
  it('writes numbers bare, null as NULL', () => {
    expect(numberArray([1, -2, 2.5, 453.90000000000003, 1796296020000, null, 0])).toBe(
      '{1,-2,2.5,453.90000000000003,1796296020000,NULL,0}',
    );
    expect(numberArray([])).toBe('{}');
  });

  it('writes epoch milliseconds as ISO timestamps, null as NULL', () => {
    expect(timestampArray([Date.UTC(2026, 0, 2, 3, 4, 5, 678), null])).toBe('{2026-01-02T03:04:05.678Z,NULL}');
  });
});
