const UNAVAILABLE_SQLSTATES = new Set([
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  // Postgres gave up for us: a lock not granted within lock_timeout, a statement past statement_timeout.
  // Both mean "busy right now, try again", not a bad request.
  '55P03', // lock_not_available
  '57014', // query_canceled
]);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /connection.*(closed|ended)/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
];

/** Whether an error means the database cannot be reached right now (as opposed to a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') {
      if (UNAVAILABLE_SQLSTATES.has(candidate.code) || UNAVAILABLE_NODE_CODES.has(candidate.code)) return true;
    }
    if (
      typeof candidate.message === 'string' &&
      UNAVAILABLE_MESSAGES.some((re) => re.test(candidate.message as string))
    ) {
      return true;
    }
    e = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/** The SQLSTATE of a Postgres error, looking through TypeORM's wrapper; undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    // A server error (pg's DatabaseError) has a severity; a Node socket error has a code but none.
    const candidate = e as { code?: unknown; severity?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && typeof candidate.severity === 'string') return candidate.code;
    e = candidate.driverError ?? candidate.cause;
  }
  return undefined;
}

/** Postgres gave up on a lock or a statement; the server is there, only busy. */
const BUSY_SQLSTATES = new Set(['55P03', '57014']);

/** Whether Postgres gave up waiting: a lock (lock_timeout) or a statement (statement_timeout). */
export function isDatabaseBusy(error: unknown): boolean {
  return BUSY_SQLSTATES.has(sqlState(error) ?? '');
}

/**
 * Whether the database cannot be reached at all (a refused or dropped connection, no answer), as
 * opposed to busy: what fails one transaction this way fails the next the same way.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  return isDatabaseUnavailable(error) && !isDatabaseBusy(error);
}
