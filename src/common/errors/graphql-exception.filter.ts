import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { GqlArgumentsHost, GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { AppError } from './app-error';
import { isDatabaseUnavailable } from './database-errors';
import { ErrorCode } from './error-code';

/**
 * The one place where resolver errors become GraphQL errors. AppErrors keep their code and
 * message; an unreachable database is SERVICE_UNAVAILABLE; anything else is logged with the
 * request id and answers INTERNAL_SERVER_ERROR with that id and nothing of the internals.
 */
@Catch()
export class GraphqlExceptionFilter extends BaseExceptionFilter implements GqlExceptionFilter {
  private readonly logger = new Logger('GraphQL');

  override catch(exception: unknown, host: ArgumentsHost): GraphQLError | void {
    // Plain HTTP routes (probes, /metrics) answer as Nest does.
    if (host.getType<string>() !== 'graphql') return super.catch(exception, host);
    if (exception instanceof GraphQLError) return exception;
    if (exception instanceof AppError) {
      const extensions: Record<string, unknown> = { code: exception.code };
      if (exception.field) extensions.field = exception.field;
      if (exception.retryAfterMs !== undefined) {
        // Apollo sets the response's status and headers from `http`, and strips it from the error.
        extensions.retryAfterMs = exception.retryAfterMs;
        const retryAfter = String(Math.max(1, Math.ceil(exception.retryAfterMs / 1000)));
        extensions.http = { status: exception.httpStatus ?? 503, headers: new Map([['retry-after', retryAfter]]) };
      }
      return new GraphQLError(exception.message, { extensions });
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return new GraphQLError(exception.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
    if (isDatabaseUnavailable(exception)) {
      return new GraphQLError('the database is unavailable; try again shortly', {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      });
    }
    const requestId = requestIdOf(host);
    this.logger.error({ err: exception, requestId }, 'unexpected error');
    return new GraphQLError(`Internal server error (request ${requestId ?? 'unknown'})`, {
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    });
  }
}

/** The part of a resolver's context the filter reads; the full context type belongs to auth/. */
interface RequestCarrier {
  readonly req?: unknown;
}

function requestIdOf(host: ArgumentsHost): string | undefined {
  const context = GqlArgumentsHost.create(host).getContext<RequestCarrier | undefined>();
  const id = (context?.req as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
