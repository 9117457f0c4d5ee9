import { keyFromAuthorization } from './api-key';

describe('keyFromAuthorization', () => {
  it('takes the key of a Bearer value, or a bare key', () => {
    expect(keyFromAuthorization('Bearer brk_abc')).toBe('brk_abc');
    expect(keyFromAuthorization('bearer   brk_abc ')).toBe('brk_abc');
    expect(keyFromAuthorization('brk_abc')).toBe('brk_abc');
  });

  it.each([
    undefined,
    42,
    '',
    '   ',
    'Bearer',
    'Bearer ',
    'Basic abc',
    'Bearer two words',
    'Bearer a\u0000b',
    'x'.repeat(513),
  ])('answers null for %j', (value) => {
    expect(keyFromAuthorization(value)).toBeNull();
  });
});
