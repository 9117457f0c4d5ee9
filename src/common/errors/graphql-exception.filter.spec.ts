import { ArgumentsHost, Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { AppError } from './app-error';
import { ErrorCode } from './error-code';
import { GraphqlExceptionFilter } from './graphql-exception.filter';

/** The host Nest hands a filter for a GraphQL resolver: (root, args, context, info). */
function graphqlHost(context: object): ArgumentsHost {
  const args = [undefined, {}, context, {}];
  return {
    getType: () => 'graphql',
    getArgs: () => args,
    getArgByIndex: (i: number) => args[i],
    switchToHttp: () => {
      throw new Error('not http');
    },
    switchToRpc: () => {
      throw new Error('not rpc');
    },
    switchToWs: () => {
      throw new Error('not ws');
    },
  } as unknown as ArgumentsHost;
}

describe('GraphqlExceptionFilter', () => {
  const filter = new GraphqlExceptionFilter();
  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => logged.mockRestore());

  const run = (exception: unknown, context: object = {}) =>
    filter.catch(exception, graphqlHost(context)) as GraphQLError;

  it('keeps an AppError’s code, message and field', () => {
    const error = run(AppError.badInput('input.name', 'is too long'));
    expect(error.message).toBe('input.name: is too long');
    expect(error.extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'input.name' });
  });

  it('answers SERVICE_UNAVAILABLE when the database cannot be reached', () => {
    for (const cause of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('query failed'), { driverError: { code: '57P01' } }),
    ]) {
      expect(run(cause).extensions).toEqual({ code: ErrorCode.SERVICE_UNAVAILABLE });
    }
    expect(logged).not.toHaveBeenCalled();
  });

  it('logs anything unexpected with the request id, and answers INTERNAL_SERVER_ERROR with that id and no internals', () => {
    const error = run(new TypeError("Cannot read properties of undefined (reading 'x')"), { req: { id: 'req-42' } });
    expect(error.message).toBe('Internal server error (request req-42)');
    expect(error.extensions).toEqual({ code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: 'req-42' });
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ requestId: 'req-42' }), 'unexpected error');
  });
});
