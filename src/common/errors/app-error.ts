import { ErrorCode } from './error-code';

/** An error the platform means to tell the client about; the exception filter maps it to GraphQL. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For BAD_USER_INPUT: the path of the offending field, e.g. `input.config.openTimeoutMs`. */
    readonly field?: string,
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
}
