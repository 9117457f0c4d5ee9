import { numberArray } from './pg-array';

describe('array literals', () => {
  it('writes numbers bare, null as NULL', () => {
    expect(numberArray([1, -2, 2.5, 453.90000000000003, 1796296020000, null, 0])).toBe(
      '{1,-2,2.5,453.90000000000003,1796296020000,NULL,0}',
    );
    expect(numberArray([])).toBe('{}');
  });
});
