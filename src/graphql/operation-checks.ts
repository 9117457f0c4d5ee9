import { DocumentNode, getOperationAST, GraphQLError, GraphQLSchema, Kind } from 'graphql';
import { ErrorCode } from '../common/errors/error-code';
import { costRefusal, operationCost } from '../common/graphql-limits';

export interface OperationRequest {
  readonly operationName?: string | null;
  readonly variables?: Readonly<Record<string, unknown>> | null;
}

export interface OperationCheckOptions {
  readonly maxCost: number;
  /** What an unpaged list may hold; asked only of documents that have one. */
  readonly unpagedList: () => Promise<number>;
  /** Subscriptions run over graphql-ws only. */
  readonly transport: 'http' | 'ws';
}

/**
 * Checks what validation cannot see, once the request's operation name and variables are known:
 * that the operation exists and may run on this transport, and its cost. Answers the refusal, or null.
 */
export async function operationRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  request: OperationRequest,
  options: OperationCheckOptions,
): Promise<GraphQLError | null> {
  const operation = getOperationAST(document, request.operationName ?? undefined);
  if (!operation) return unknownOperation(document, request.operationName);
  if (operation.operation === 'subscription' && options.transport === 'http') {
    return badInput('query', 'subscriptions are served over graphql-ws at /graphql, not over HTTP');
  }
  const cost = (unpagedList: number) =>
    operationCost(schema, document, operation, { variables: request.variables, unpagedList });
  const flat = cost(0);
  // Only a document with an unpaged list costs more when there are more breakers; only then count them.
  const total = flat === cost(1) ? flat : cost(await options.unpagedList());
  return costRefusal(total, options.maxCost, operation);
}

function unknownOperation(document: DocumentNode, name: string | null | undefined): GraphQLError {
  if (name) return badInput('operationName', `the document has no operation named "${name}"`);
  const count = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  return badInput('operationName', `the document has ${count} operations; name the one to run`);
}

function badInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, field, http: { status: 400 } },
  });
}
