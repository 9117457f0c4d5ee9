import { AppError } from '../errors/app-error';

const PREFIX = 'event:';
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** An opaque cursor for a recovery event id. */
export function encodeEventCursor(id: string): string {
  return Buffer.from(PREFIX + id, 'utf8').toString('base64url');
}

/** Reads a cursor made by `encodeEventCursor`; anything else is BAD_USER_INPUT naming `field`. */
export function decodeEventCursor(cursor: string, field = 'after'): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith(PREFIX) ? decoded.slice(PREFIX.length) : '';
  if (!/^[0-9]{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT) throw AppError.badInput(field, 'is not a valid cursor');
  return id;
}
