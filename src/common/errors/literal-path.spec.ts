import { buildSchema, GraphQLError, parse, Source, validate } from 'graphql';
import { formatGraphqlError, formatGraphqlErrorFor } from './format-graphql-error';
import { literalPath } from './literal-path';

const schema = buildSchema(`
  input Config { failureThreshold: Int, tags: [String!] }
  input Outcome { name: String!, success: Boolean! }
  enum State { OPEN CLOSED }
  type Query { a(first: Int, state: State, config: Config, outcomes: [Outcome!]): Int }
`);

/** The validation errors graphql-js gives for a query, as Apollo hands them to formatError. */
function errors(query: string): GraphQLError[] {
  return [...validate(schema, parse(new Source(query)))];
}

describe('literalPath', () => {
  it.each([
    ['{ a(first: "x") }', 'first'],
    ['{ a(state: NOPE) }', 'state'],
    ['{ a(config: { failureThreshold: "five" }) }', 'config.failureThreshold'],
    ['{ a(config: { tags: ["ok", 3] }) }', 'config.tags.1'],
    ['{ a(outcomes: [{ name: "a", success: true }, { name: "b", success: 3 }]) }', 'outcomes.1.success'],
  ])('names the field of the bad literal in %s', (query, path) => {
    const [error] = errors(query);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(literalPath(error)).toBe(path);
  });

  it('answers null when the error is not about a literal', () => {
    const [error] = errors('{ a nope }');
    expect(literalPath(error)).toBeNull();
    expect(literalPath(new GraphQLError('no source'))).toBeNull();
  });

  it('is what formatGraphqlError puts in the message and extensions.field', () => {
    const [error] = errors('{ a(config: { failureThreshold: "five" }) }');
    const formatted = formatGraphqlError(
      { ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      error,
    );
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'config.failureThreshold' });
    expect(formatted.message).toBe('config.failureThreshold: Int cannot represent non-integer value: "five"');
  });
});

describe('formatGraphqlError', () => {
  it('keeps codes of the vocabulary (and the one Apollo clients retry on), maps client mistakes to BAD_USER_INPUT and anything else to INTERNAL_SERVER_ERROR', () => {
    const code = (c: string | undefined) =>
      formatGraphqlError({ message: 'm', extensions: { code: c } }).extensions?.code;
    expect(code('NOT_FOUND')).toBe('NOT_FOUND');
    expect(code('GRAPHQL_PARSE_FAILED')).toBe('BAD_USER_INPUT');
    expect(code('PERSISTED_QUERY_NOT_FOUND')).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(code('PERSISTED_QUERY_NOT_SUPPORTED')).toBe('INTERNAL_SERVER_ERROR');
    expect(code(undefined)).toBe('INTERNAL_SERVER_ERROR');
  });

  it('never passes a stack trace on', () => {
    const formatted = formatGraphqlError({ message: 'm', extensions: { code: 'NOT_FOUND', stacktrace: ['at x'] } });
    expect(formatted.extensions).toEqual({ code: 'NOT_FOUND' });
  });

  it('drops "Did you mean" in production only', () => {
    const error = {
      message: 'Field "nam" is not defined by type "In". Did you mean "name"?',
      extensions: { code: 'BAD_USER_INPUT' },
    };
    expect(formatGraphqlErrorFor(true)(error).message).toBe('Field "nam" is not defined by type "In".');
    expect(formatGraphqlErrorFor(false)(error).message).toBe(error.message);
  });
});
