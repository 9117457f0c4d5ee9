import {
  ASTNode,
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  ValidationContext,
  ValidationRule,
  visit,
} from 'graphql';
import type { LimitsConfig } from '../config/app-config';
import { ErrorCode } from './errors/error-code';
import { OperationMeter, operationDefaults } from './operation-meter';

/** The limits validation checks; the cost (`maxQueryCost`) waits for the variables. */
export type QueryShapeLimits = Pick<LimitsConfig, 'maxQueryDepth' | 'maxAliases' | 'maxDirectives'>;

/** What the cost estimate needs beyond the document: the request's variables and the size of an unpaged list. */
export interface CostInputs {
  readonly variables?: Readonly<Record<string, unknown>> | null;
  /** Items an unpaged list (every breaker, every key) is assumed to hold. */
  readonly unpagedList: number;
}

/**
 * Refuses, during validation, documents with too many directives, too deep, or with too many aliases:
 * what does not depend on variables. The cost does, so it is checked once they are known (`operationCost`).
 * Each fragment is measured once, so the work is linear in the document's size.
 */
export function queryShapeRule(limits: QueryShapeLimits): ValidationRule {
  return (context: ValidationContext) => {
    let directives = 0;
    // One meter for the whole document, so a fragment spread by many operations is still measured once.
    let shapes: OperationMeter | undefined;
    const refuse = (message: string, node: ASTNode) =>
      context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code: ErrorCode.BAD_USER_INPUT } }));
    return {
      Document(document: DocumentNode) {
        directives = countDirectives(document);
        if (directives > limits.maxDirectives) {
          refuse(`the query uses ${directives} directives; at most ${limits.maxDirectives} are allowed`, document);
        }
      },
      OperationDefinition(node: OperationDefinitionNode) {
        if (directives > limits.maxDirectives) return;
        shapes ??= meter(context.getSchema(), context.getDocument(), { unpagedList: 1 });
        const shape = shapes.shape(node);
        if (shape.aliases > limits.maxAliases) {
          refuse(`the query uses ${shape.aliases} aliases; at most ${limits.maxAliases} are allowed`, node);
        } else if (shape.depth > limits.maxQueryDepth) {
          refuse(`the query is ${shape.depth} levels deep; at most ${limits.maxQueryDepth} are allowed`, node);
        }
      },
    };
  };
}

/**
 * Fields the operation would resolve: lists are counted by their page size (a literal, a variable or
 * the argument's default), unpaged lists by `unpagedList`.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  inputs: CostInputs,
): number {
  const variables = { ...operationDefaults(operation), ...inputs.variables };
  return meter(schema, document, { ...inputs, variables }).cost(operation);
}

/** The refusal of an operation that costs more than `maxCost`, or null. */
export function costRefusal(cost: number, maxCost: number, operation: OperationDefinitionNode): GraphQLError | null {
  if (cost <= maxCost) return null;
  // As a BigInt the figure prints in digits, however large (a sum that overflowed shows as the largest double).
  const shown = BigInt(Math.round(Math.min(cost, Number.MAX_VALUE)));
  return new GraphQLError(`the query would resolve about ${shown} fields; at most ${maxCost} are allowed`, {
    nodes: [operation],
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
  });
}

function meter(schema: GraphQLSchema, document: DocumentNode, inputs: CostInputs): OperationMeter {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return new OperationMeter(schema, fragments, inputs.variables ?? {}, inputs.unpagedList);
}

/** Directives written anywhere in the document: its text is what they cost to validate, not how often they run. */
function countDirectives(document: DocumentNode): number {
  let count = 0;
  visit(document, {
    Directive() {
      count++;
    },
  });
  return count;
}
