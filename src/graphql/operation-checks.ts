import { DocumentNode, getOperationAST, GraphQLError, GraphQLSchema } from 'graphql';
import { costRefusal, operationCost } from '../common/graphql-limits';

export interface OperationRequest {
  readonly operationName?: string | null;
  readonly variables?: Readonly<Record<string, unknown>> | null;
}

export interface OperationCheckOptions {
  readonly maxCost: number;
  /** What an unpaged list may hold; asked only of documents that have one. */
  readonly unpagedList: () => Promise<number>;
}

/**
 * Checks what validation cannot see, once the request's variables are known: the operation's cost.
 * Answers the refusal, or null.
 */
export async function operationRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  request: OperationRequest,
  options: OperationCheckOptions,
): Promise<GraphQLError | null> {
  const operation = getOperationAST(document, request.operationName ?? undefined);
  // No such operation: graphql-js reports it when it executes.
  if (!operation) return null;
  const cost = (unpagedList: number) =>
    operationCost(schema, document, operation, { variables: request.variables, unpagedList });
  const flat = cost(0);
  // Only a document with an unpaged list costs more when there are more breakers; only then count them.
  const total = flat === cost(1) ? flat : cost(await options.unpagedList());
  return costRefusal(total, options.maxCost, operation);
}
