import { MAX_MESSAGE_LENGTH, normaliseError } from './error-message';

describe('normaliseError', () => {
  it('turns numbers into # so that messages differing only in them are one', () => {
    expect(normaliseError('timeout after 3000ms on 10.0.0.1')).toBe('timeout after #ms on #.#.#.#');
    expect(normaliseError('timeout after 1500ms on 10.0.0.2')).toBe('timeout after #ms on #.#.#.#');
    expect(normaliseError('HTTP 503 from pod-7f9c2d')).toBe('HTTP # from pod-#');
  });

  it('turns 0x-prefixed hex and hex runs holding a digit into #, and keeps words of hex letters alone', () => {
    expect(normaliseError('segfault at 0xDEADBEEF')).toBe('segfault at #');
    expect(normaliseError('at 0xdeadbeef')).toBe('at #');
    expect(normaliseError('request 550e8400-e29b-41d4-a716-446655440000 failed')).toBe('request #-#-#-#-# failed');
    expect(normaliseError('bad dead beef cafe face')).toBe('bad dead beef cafe face');
    expect(normaliseError('sha 3f2a9c')).toBe('sha #');
    // The run is whole hex characters: "user" ends in a non-hex letter, so only the digits go.
    expect(normaliseError('user42 and abc123 and deadbeef')).toBe('user# and # and deadbeef');
    // "0x" with nothing hex after it is no hex number: only its 0 is.
    expect(normaliseError('0x')).toBe('#x');
    expect(normaliseError('0xZ')).toBe('#xZ');
  });

  it('collapses whitespace runs to one space and trims the ends', () => {
    expect(normaliseError('  connection\t\treset \n by   peer \r\n')).toBe('connection reset by peer');
    expect(normaliseError('a\u00a0\u2003b')).toBe('a b');
    expect(normaliseError(' \t\n ')).toBe('');
    expect(normaliseError('')).toBe('');
  });

  it('caps the result at 200 characters, after trimming, and never cuts a surrogate pair in two', () => {
    const long = 'x'.repeat(300);
    expect(normaliseError(long)).toBe('x'.repeat(MAX_MESSAGE_LENGTH));
    expect(normaliseError(`   ${'y'.repeat(199)}   z`)).toBe(`${'y'.repeat(199)}`);
    const emoji = '😀'; // two UTF-16 code units
    const cut = normaliseError('w'.repeat(199) + emoji + 'tail');
    expect(cut).toBe('w'.repeat(199));
    expect(normaliseError('w'.repeat(198) + emoji + 'tail')).toBe('w'.repeat(198) + emoji);
    // Numbers shrink before the cap applies: 300 digits are one #.
    expect(normaliseError(`${'9'.repeat(300)} end`)).toBe('# end');
  });

  it('decides a long hex run by all of it, even past the cap', () => {
    expect(normaliseError('a'.repeat(250) + '1')).toBe('#');
    expect(normaliseError('a'.repeat(250))).toBe('a'.repeat(MAX_MESSAGE_LENGTH));
  });

  // Linear by construction (one pass, no regular expression); timing belongs in the bench, not here.
  it('reads a long run of hex letters whole, with or without a digit at its end', () => {
    const hostile = 'abcdef'.repeat(20_000); // 120,000 hex letters
    expect(normaliseError(hostile)).toBe(hostile.slice(0, MAX_MESSAGE_LENGTH));
    expect(normaliseError(`${hostile}7 failed`)).toBe('# failed');
  });
});
