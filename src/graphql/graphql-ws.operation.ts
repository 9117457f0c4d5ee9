import {
  DocumentNode,
  ExecutionArgs,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { formatGraphqlError } from '../common/errors/format-graphql-error';
import { withoutSuggestions } from '../common/errors/suggestions';
import { queryShapeRule } from '../common/graphql-limits';
import type { LimitsConfig } from '../config/app-config';
import { operationRefusal } from './operation-checks';

export interface WsOperationOptions {
  readonly limits: LimitsConfig;
  /** No introspection and no "did you mean" in production, as over HTTP. */
  readonly production: boolean;
  readonly unpagedList: () => Promise<number>;
}

/**
 * graphql-ws `onSubscribe`: parses and validates an operation exactly as HTTP does (the same rules,
 * codes and production manners), then the checks that need its variables. Answers what to execute,
 * or the errors to send instead.
 */
export function wsOperations(schema: GraphQLSchema, options: WsOperationOptions) {
  const { limits, production } = options;
  const rules = [...specifiedRules, queryShapeRule(limits), ...(production ? [NoSchemaIntrospectionCustomRule] : [])];
  const toClient = (error: GraphQLError) => clientError(error, production);
  return async (payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      return [toClient(error as GraphQLError)];
    }
    const errors = validate(schema, document, rules);
    if (errors.length > 0) return errors.map(toClient);
    let refusal: GraphQLError | null;
    try {
      refusal = await operationRefusal(schema, document, payload, {
        maxCost: limits.maxQueryCost,
        unpagedList: options.unpagedList,
        transport: 'ws',
      });
    } catch (error) {
      // The database away while counting breakers: SERVICE_UNAVAILABLE, sent as the operation's error.
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    if (refusal) return [toClient(refusal)];
    // Coerced here as well as in execution, so that a bad variable is refused with a code, as over HTTP.
    const operation = getOperationAST(document, payload.operationName)!;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return coerced.errors.map(toClient);
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
  };
}

/** A parse or validation error as HTTP would show it: in the error vocabulary, with the field of a bad literal. */
function clientError(error: GraphQLError, production: boolean): GraphQLError {
  const code = error.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED';
  // formatGraphqlError maps this to BAD_USER_INPUT and finds the field of a bad literal.
  const formatted = formatGraphqlError({ ...error.toJSON(), extensions: { ...error.extensions, code } }, error);
  const { http: _http, ...extensions } = formatted.extensions ?? {};
  return new GraphQLError(production ? withoutSuggestions(formatted.message) : formatted.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions,
  });
}
