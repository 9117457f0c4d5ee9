import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { AppError } from './app-error';
import { ErrorCode } from './error-code';

/**
 * The one place where errors become GraphQL errors. AppErrors keep their code and message;
 * anything unexpected is logged and answers INTERNAL_SERVER_ERROR without internals.
 */
@Catch()
export class GraphqlExceptionFilter implements GqlExceptionFilter {
  private readonly logger = new Logger('GraphQL');

  catch(exception: unknown, _host: ArgumentsHost): GraphQLError {
    if (exception instanceof GraphQLError) return exception;
    if (exception instanceof AppError) {
      const extensions: Record<string, unknown> = { code: exception.code };
      if (exception.field) extensions.field = exception.field;
      return new GraphQLError(exception.message, { extensions });
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return new GraphQLError(exception.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
  }
}
