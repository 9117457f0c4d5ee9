import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'brk_';

/** A new secret key: 32 random bytes, base64url, with a recognisable prefix. */
export function generateKey(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** Keys are stored only as their SHA-256, so the table never holds a usable secret. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What a key can be: 1 to 512 characters, none of them space or control (generated ones are base64url). */
const WELL_FORMED_KEY = /^[^\s\p{Cc}]{1,512}$/u;

/** The key from an `Authorization: Bearer <key>` value (or a bare key); null when there is none or it is malformed. */
export function keyFromAuthorization(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 1024) return null;
  const trimmed = value.trim();
  const key = /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, '') : trimmed;
  // "Bearer" alone is a scheme with its key missing, not a key.
  return WELL_FORMED_KEY.test(key) && !/^bearer$/i.test(key) ? key : null;
}
