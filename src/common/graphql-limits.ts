import {
  ASTNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLNamedType,
  GraphQLSchema,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { ErrorCode } from './errors/error-code';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
}

/** What an unpaged list is assumed to hold, for the cost estimate. */
const UNPAGED_LIST = 10;

/**
 * Refuses, before anything runs, documents that are too deep, use too many aliases, or would
 * resolve too many fields (lists counted by their `first`/`limit`, or 10 when unpaged).
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [(context) => limitsRule(context, limits)];
}

function limitsRule(context: ValidationContext, limits: QueryLimits) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of context.getDocument().definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return {
    OperationDefinition(node: OperationDefinitionNode) {
      const stats = { aliases: 0, depth: 0, cost: 0 };
      const root = context.getSchema().getRootType(node.operation) ?? undefined;
      walk(context.getSchema(), node.selectionSet, root, 1, 1, fragments, stats, new Set());
      const refuse = (message: string) =>
        context.reportError(
          new GraphQLError(message, { nodes: [node as ASTNode], extensions: { code: ErrorCode.BAD_USER_INPUT } }),
        );
      if (stats.aliases > limits.maxAliases) {
        refuse(`the query uses ${stats.aliases} aliases; at most ${limits.maxAliases} are allowed`);
      } else if (stats.depth > limits.maxDepth) {
        refuse(`the query is ${stats.depth} levels deep; at most ${limits.maxDepth} are allowed`);
      } else if (stats.cost > limits.maxCost) {
        refuse(`the query would resolve about ${stats.cost} fields; at most ${limits.maxCost} are allowed`);
      }
    },
  };
}

function walk(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  type: GraphQLNamedType | undefined,
  depth: number,
  multiplier: number,
  fragments: Map<string, FragmentDefinitionNode>,
  stats: { aliases: number; depth: number; cost: number },
  seen: Set<string>,
  pending?: number,
): void {
  stats.depth = Math.max(stats.depth, depth);
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) stats.aliases++;
      stats.cost += multiplier;
      if (selection.selectionSet) {
        const field =
          type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[selection.name.value] : undefined;
        const isList = field ? isListType(getNullableType(field.type)) : false;
        // A connection takes the page size (`first`) and hands it to the list of edges below it.
        const asked = pageArgument(selection) ?? pending;
        const inner = multiplier * (isList ? (asked ?? UNPAGED_LIST) : 1);
        const named = field ? getNamedType(field.type) : undefined;
        walk(
          schema,
          selection.selectionSet,
          named,
          depth + 1,
          inner,
          fragments,
          stats,
          seen,
          isList ? undefined : asked,
        );
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
      walk(schema, selection.selectionSet, narrowed ?? undefined, depth, multiplier, fragments, stats, seen, pending);
    } else {
      const fragment = fragments.get(selection.name.value);
      // A fragment spread twice on one path is a cycle, which validation reports on its own.
      if (fragment && !seen.has(fragment.name.value)) {
        const on = schema.getType(fragment.typeCondition.name.value) ?? undefined;
        walk(
          schema,
          fragment.selectionSet,
          on,
          depth,
          multiplier,
          fragments,
          stats,
          new Set([...seen, fragment.name.value]),
        );
      }
    }
  }
}

/** The page size a field asks for with a literal `first` or `limit`, if it does. */
function pageArgument(field: FieldNode): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'limit');
  return arg?.value.kind === Kind.INT ? Math.max(1, Number(arg.value.value)) : undefined;
}
