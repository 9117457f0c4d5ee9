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

/** The key from an `Authorization: Bearer <key>` value (or a bare key); null when there is none. */
export function keyFromAuthorization(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  const key = /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, '') : trimmed;
  return key.length > 0 && key.length <= 512 ? key : null;
}
