import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './error-code';
import { literalPath } from './literal-path';
import { withoutSuggestions } from './suggestions';

/** Errors that Apollo raises before a resolver runs (parse, validation, variable coercion) are the client's mistakes. */
const CLIENT_MISTAKES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST']);
/**
 * Apollo's own answer to a persisted-query hash it does not hold. Apollo clients react to exactly this
 * code by sending the full query, so it keeps it rather than being folded into the vocabulary.
 */
const PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';
const KNOWN = new Set<string>([...Object.values(ErrorCode), PERSISTED_QUERY_NOT_FOUND]);

/**
 * Keeps every error inside the platform's vocabulary and strips stack traces from what clients see.
 * A bad literal in the query gets the path of its field, as the resolvers' own errors have.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, original?: unknown): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  const mapped = CLIENT_MISTAKES.has(code)
    ? ErrorCode.BAD_USER_INPUT
    : KNOWN.has(code)
      ? code
      : ErrorCode.INTERNAL_SERVER_ERROR;
  const { stacktrace: _stack, ...rest } = formatted.extensions ?? {};
  const result = { ...formatted, extensions: { ...rest, code: mapped } };
  if (mapped === ErrorCode.BAD_USER_INPUT && rest.field === undefined && original instanceof GraphQLError) {
    const field = literalPath(original);
    if (field)
      return { ...result, message: `${field}: ${formatted.message}`, extensions: { ...result.extensions, field } };
  }
  return result;
}

/**
 * formatGraphqlError, and in production without graphql-js's "Did you mean …?", which would spell
 * out the schema. Apollo strips it from validation errors only; variables' errors carry it too.
 */
export function formatGraphqlErrorFor(production: boolean) {
  if (!production) return formatGraphqlError;
  return (formatted: GraphQLFormattedError, original?: unknown): GraphQLFormattedError => {
    const result = formatGraphqlError(formatted, original);
    return { ...result, message: withoutSuggestions(result.message) };
  };
}
