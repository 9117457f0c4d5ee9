import { ErrorCode } from './error-code';

/** An error the platform means to tell the client about; the exception filter maps it to GraphQL. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For BAD_USER_INPUT: the path of the offending field, e.g. `input.config.openTimeoutMs`. */
    readonly field?: string,
    /** For SERVICE_UNAVAILABLE: when trying again is likely to succeed. */
    readonly retryAfterMs?: number,
    /** The HTTP status of a response carrying this error, where it is not 200 (429 for a rate limit, else 503). */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badInput(field: string, message: string): AppError {
    return new AppError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, field);
  }

  static notFound(message: string): AppError {
    return new AppError(ErrorCode.NOT_FOUND, message);
  }

  /** Busy right now: the client should try again in `retryAfterMs` (HTTP 503 with Retry-After). */
  static unavailable(message: string, retryAfterMs: number): AppError {
    return new AppError(ErrorCode.SERVICE_UNAVAILABLE, message, undefined, retryAfterMs, 503);
  }

  /** Over a rate limit: the client should try again in `retryAfterMs` (HTTP 429 with Retry-After). */
  static rateLimited(message: string, retryAfterMs: number): AppError {
    return new AppError(ErrorCode.SERVICE_UNAVAILABLE, message, undefined, retryAfterMs, 429);
  }
}
