import { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './error-code';

/** Errors that Apollo raises before a resolver runs (parse, validation, variable coercion) are the client's mistakes. */
const CLIENT_MISTAKES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST']);
const KNOWN = new Set<string>(Object.values(ErrorCode));

/** Keeps every error inside the platform's vocabulary and strips stack traces from what clients see. */
export function formatGraphqlError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  const mapped = CLIENT_MISTAKES.has(code)
    ? ErrorCode.BAD_USER_INPUT
    : KNOWN.has(code)
      ? code
      : ErrorCode.INTERNAL_SERVER_ERROR;
  const { stacktrace: _stack, ...rest } = formatted.extensions ?? {};
  return { ...formatted, extensions: { ...rest, code: mapped } };
}
