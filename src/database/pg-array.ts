/*
 * Array parameters for `unnest($n::int[])` and the like, written as Postgres array literals.
 *
 * Handed a JavaScript array, node-postgres turns every element into a quoted, escaped string (two
 * regular expressions each), and the write path sends some 40 such arrays of 100 or more elements
 * per transaction: that was a measurable share of ingest, and the quotes about a third of the
 * arrays' bytes. A number's text (`String(n)`) holds nothing an array literal
 * must quote (no comma, brace, quote, backslash or space, and never the word NULL), so it is
 * written bare: Postgres reads each element exactly as it read the quoted one. Times go as epoch
 * milliseconds, converted in SQL (`to_timestamp(ms / 1000)`).
 */

/** `{1,2.5,NULL}`: for an `int[]`, `bigint[]` or `float8[]` parameter. */
export function numberArray(values: readonly (number | null)[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) text += ',';
    // undefined too, as node-postgres writes it.
    text += value === null || value === undefined ? 'NULL' : String(value);
  }
  return `${text}}`;
}
