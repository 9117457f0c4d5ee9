import {
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';

/**
 * A cost of the form `k + p × P`, where P is the page size a connection hands down to the list
 * below it. A fragment's cost is kept in this form so that it is computed once, whatever page size
 * each of its spreads sits under.
 */
interface Affine {
  readonly k: number;
  readonly p: number;
}

/** What a selection set (an operation or one fragment) measures; depth is relative to where it sits. */
interface Summary {
  depth: number;
  aliases: number;
  cost: Affine;
}

/** The page size comes from the connection above, still unknown while a fragment is measured. */
const HANDED_DOWN = Symbol('handed down');
type Pending = number | typeof HANDED_DOWN | undefined;

const PAGE_ARGUMENTS = ['first', 'limit'];
/**
 * A field extension: the most items an unpaged list field can hold (e.g. the points of a chart),
 * counted as its size instead of the unpaged-list bound. Set with Nest's `@Extensions`.
 */
export const LIST_BOUND = 'listBound';
/** The largest page anyone can ask for is an Int; clamping keeps the sums finite. */
const MAX_PAGE = 2 ** 31 - 1;

/**
 * Measures an operation's depth, aliases and estimated cost in one pass. Each fragment is measured
 * once and its summary reused at every spread, so the work is linear in the document's size however
 * the fragments nest.
 */
export class OperationMeter {
  private readonly summaries = new Map<string, Summary>();
  private readonly measuring = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    /** The variables of the one operation whose cost is asked (shapes do not depend on them). */
    private readonly variables: Readonly<Record<string, unknown>>,
    /** Items an unpaged list is assumed to hold. */
    private readonly unpagedList: number,
  ) {}

  /** Levels of nesting and aliases, counted through every fragment spread. */
  shape(operation: OperationDefinitionNode): { depth: number; aliases: number } {
    const { depth, aliases } = this.measure(operation);
    return { depth, aliases };
  }

  /** Fields the operation would resolve, lists multiplied by their page size. */
  cost(operation: OperationDefinitionNode): number {
    const { cost } = this.measure(operation);
    return cost.k + mul(cost.p, this.unpagedList);
  }

  private measure(operation: OperationDefinitionNode): Summary {
    const root = this.schema.getRootType(operation.operation) ?? undefined;
    const summary: Summary = { depth: 0, aliases: 0, cost: ZERO };
    this.walk(operation.selectionSet, root, 1, ONE, undefined, summary);
    return summary;
  }

  private walk(
    set: SelectionSetNode,
    type: GraphQLNamedType | undefined,
    depth: number,
    multiplier: Affine,
    pending: Pending,
    into: Summary,
  ): void {
    into.depth = Math.max(into.depth, depth);
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        this.field(selection, type, depth, multiplier, pending, into);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : type;
        this.walk(selection.selectionSet, narrowed ?? undefined, depth, multiplier, pending, into);
      } else {
        const fragment = this.summary(selection.name.value);
        into.depth = Math.max(into.depth, depth + fragment.depth);
        into.aliases += fragment.aliases;
        into.cost = add(into.cost, times(multiplier, at(fragment.cost, pending, this.unpagedList)));
      }
    }
  }

  private field(
    node: FieldNode,
    type: GraphQLNamedType | undefined,
    depth: number,
    multiplier: Affine,
    pending: Pending,
    into: Summary,
  ): void {
    if (node.alias) into.aliases++;
    into.cost = add(into.cost, multiplier);
    if (!node.selectionSet) return;
    const field = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[node.name.value] : undefined;
    const isList = field ? isListType(getNullableType(field.type)) : false;
    // A connection takes the page size (`first`) and hands it to the list of edges below it.
    const asked: Pending = (field && this.pageSize(node, field)) ?? pending;
    let inner = multiplier;
    if (isList) {
      inner =
        asked === HANDED_DOWN ? { k: 0, p: multiplier.k } : times(multiplier, constant(asked ?? this.unpagedList));
    }
    const named = field ? getNamedType(field.type) : undefined;
    this.walk(node.selectionSet, named, depth + 1, inner, isList ? undefined : asked, into);
  }

  /** A fragment's summary, measured the first time it is spread (a cycle, which validation reports, counts nothing). */
  private summary(name: string): Summary {
    const known = this.summaries.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    const summary: Summary = { depth: 0, aliases: 0, cost: ZERO };
    if (!fragment || this.measuring.has(name)) return summary;
    this.measuring.add(name);
    const on = this.schema.getType(fragment.typeCondition.name.value) ?? undefined;
    this.walk(fragment.selectionSet, on, 0, ONE, HANDED_DOWN, summary);
    this.measuring.delete(name);
    this.summaries.set(name, summary);
    return summary;
  }

  /**
   * The page size a field asks for with `first` or `limit`: written, in a variable, or the argument's
   * default; for a list without one, its LIST_BOUND if it declares one.
   */
  private pageSize(node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined {
    const definition = field.args.find((a) => PAGE_ARGUMENTS.includes(a.name));
    if (!definition) {
      const bound = field.extensions?.[LIST_BOUND];
      return typeof bound === 'number' ? bound : undefined;
    }
    const given = node.arguments?.find((a) => a.name.value === definition.name)?.value;
    const value = given ? this.valueOf(given) : undefined;
    const size = typeof value === 'number' ? value : definition.defaultValue;
    return typeof size === 'number' && Number.isFinite(size) ? Math.min(MAX_PAGE, Math.max(1, size)) : undefined;
  }

  private valueOf(value: ValueNode): unknown {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) return this.variables[value.name.value];
    return undefined;
  }
}

/** The defaults an operation gives its own variables, for those the request leaves out. */
export function operationDefaults(operation: OperationDefinitionNode): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue?.kind === Kind.INT) defaults[v.variable.name.value] = Number(v.defaultValue.value);
  }
  return defaults;
}

const ZERO: Affine = { k: 0, p: 0 };
const ONE: Affine = { k: 1, p: 0 };

function constant(k: number): Affine {
  return { k, p: 0 };
}

function add(a: Affine, b: Affine): Affine {
  return { k: a.k + b.k, p: a.p + b.p };
}

/**
 * The product of two costs. P appears at most once along any path (a list that takes the handed-down
 * size hands nothing further down), so one side is always constant.
 */
function times(a: Affine, b: Affine): Affine {
  if (a.p === 0) return { k: mul(a.k, b.k), p: mul(a.k, b.p) };
  return { k: mul(a.k, b.k), p: mul(a.p, b.k) };
}

/** A fragment's cost where it is spread: with the page size handed to it, or still symbolic inside another fragment. */
function at(cost: Affine, pending: Pending, unpagedList: number): Affine {
  if (pending === HANDED_DOWN) return cost;
  return constant(cost.k + mul(cost.p, pending ?? unpagedList));
}

/** Multiplication where nothing times zero is zero, even when the other side has overflowed to Infinity. */
function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : a * b;
}
