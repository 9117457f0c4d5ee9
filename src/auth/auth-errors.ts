import { GraphQLError } from 'graphql';
import { ErrorCode } from '../common/errors/error-code';

export const MISSING_KEY_MESSAGE = 'a valid API key is required: send Authorization: Bearer <key>';

/** Retry-After is in whole seconds, rounded up so that a client never comes back too early. */
export function retryAfterSeconds(retryAfterMs: number): string {
  return String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
}

export function unauthenticated(): GraphQLError {
  return new GraphQLError(MISSING_KEY_MESSAGE, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}

export function tooManyFailuresMessage(retryAfterMs: number): string {
  return `too many failed authentications from this address; retry in ${retryAfterMs} ms`;
}

/** A refusal for being over a limit: SERVICE_UNAVAILABLE with retryAfterMs, and over HTTP a 429 with Retry-After. */
export function rateLimited(message: string, retryAfterMs: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      retryAfterMs,
      http: { status: 429, headers: new Map([['retry-after', retryAfterSeconds(retryAfterMs)]]) },
    },
  });
}

export function keyRateLimitedMessage(keyName: string, retryAfterMs: number): string {
  return `rate limit exceeded for the key "${keyName}"; retry in ${retryAfterMs} ms`;
}
