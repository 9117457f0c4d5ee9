/** The longest normalised message kept, in UTF-16 code units (so at most as many characters). */
export const MAX_MESSAGE_LENGTH = 200;

/**
 * Normalises an error text so that messages differing only in their numbers count as one:
 * - a `0x`-prefixed hex number, and any run of hex characters that holds a digit, becomes `#`
 *   (`3000ms` → `#ms`, `10.0.0.1` → `#.#.#.#`, a UUID → `#-#-#-#-#`), while words made of hex
 *   letters alone (`bad`, `dead`, `cafe`) stay;
 * - every run of whitespace becomes one space, and the ends are trimmed;
 * - the result is cut to MAX_MESSAGE_LENGTH, never inside a surrogate pair.
 * One pass over the text (a regular expression for "a hex run with a digit" would backtrack
 * quadratically on a long run of hex letters), stopping once the cap is reached.
 */
export function normaliseError(text: string): string {
  // The output is built as char codes in one buffer, not by appending strings: appending made a
  // rope of many small pieces, and normalising was the largest cost of a batch with an error on
  // every outcome (a batch's texts are mostly distinct before normalisation, so each is done).
  const out = OUT;
  let len = 0;
  let pendingSpace = false;
  const n = text.length;
  let i = 0;
  while (i < n && len <= MAX_MESSAGE_LENGTH) {
    const c = text.charCodeAt(i);
    const kind = kindOf(c);
    if (kind === SPACE) {
      pendingSpace = len > 0;
      i++;
      continue;
    }
    if (pendingSpace) {
      out[len++] = 0x20;
      pendingSpace = false;
    }
    if (c === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78 && kindOf(text.charCodeAt(i + 2)) >= DIGIT) {
      i += 3;
      while (i < n && kindOf(text.charCodeAt(i)) >= DIGIT) i++;
      out[len++] = HASH;
    } else if (kind >= DIGIT) {
      const start = i;
      let digit = false;
      while (i < n) {
        const k = kindOf(text.charCodeAt(i));
        if (k === DIGIT) digit = true;
        else if (k !== HEX_LETTER) break;
        i++;
      }
      if (digit) out[len++] = HASH;
      else for (let j = start; j < i && len <= MAX_MESSAGE_LENGTH; j++) out[len++] = text.charCodeAt(j);
    } else {
      out[len++] = c;
      i++;
    }
  }
  return cap(String.fromCharCode.apply(null, out.subarray(0, len) as unknown as number[]));
}

const OTHER = 0;
const SPACE = 1;
const DIGIT = 2;
const HEX_LETTER = 3;
const HASH = 0x23;
/** The output buffer: at most MAX_MESSAGE_LENGTH + 1 codes are kept before the cap, plus a space. */
const OUT = new Uint16Array(MAX_MESSAGE_LENGTH + 3);
/** The kind of each ASCII code. */
const ASCII_KINDS = new Uint8Array(128).map((_, c) =>
  isSpace(c) ? SPACE : isDigit(c) ? DIGIT : isHexLetter(c) ? HEX_LETTER : OTHER,
);

function kindOf(c: number): number {
  if (c < 128) return ASCII_KINDS[c];
  return isSpace(c) ? SPACE : OTHER;
}

function cap(text: string): string {
  if (text.length <= MAX_MESSAGE_LENGTH) return text;
  let end = MAX_MESSAGE_LENGTH;
  // Never keep half a surrogate pair: Postgres cannot store it.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end).trimEnd();
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66;
}

/** What `\s` matches in JavaScript. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
