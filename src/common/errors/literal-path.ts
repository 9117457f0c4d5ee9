import { ASTNode, DocumentNode, GraphQLError, Kind, parse, Source, visit } from 'graphql';

/**
 * For a validation error about a literal written into the query (e.g. `failureThreshold: "five"`),
 * the path of that value from its argument: `input.config.failureThreshold`. graphql-js names
 * only the expected type; this finds the field from the error's position in the query text.
 */
export function literalPath(error: GraphQLError): string | null {
  const position = error.positions?.[0];
  const source = error.source;
  if (position === undefined || !source) return null;
  let path: string | null = null;
  try {
    visit(parsed(source), {
      enter(node, _key, parent, _path, ancestors) {
        if (path !== null || node.loc?.start !== position || !isValue(node)) return undefined;
        const names = namesAlong([...ancestors, parent, node]);
        if (names.length > 0) path = names.join('.');
        return undefined;
      },
    });
  } catch {
    return null;
  }
  return path;
}

/**
 * Each source parsed once, however many of its errors are formatted: a document with 100 errors
 * would otherwise be parsed 100 times.
 */
const documents = new WeakMap<Source, DocumentNode>();

function parsed(source: Source): DocumentNode {
  let document = documents.get(source);
  if (!document) {
    document = parse(source);
    documents.set(source, document);
  }
  return document;
}

/** Argument and object field names, and list indexes, along a chain of AST nodes and arrays. */
function namesAlong(chain: readonly (ASTNode | readonly ASTNode[] | undefined)[]): string[] {
  const names: string[] = [];
  chain.forEach((item, i) => {
    if (item === undefined || isArray(item)) return;
    if (item.kind === Kind.ARGUMENT || item.kind === Kind.OBJECT_FIELD) names.push(item.name.value);
    const values = chain[i + 1];
    const element = chain[i + 2];
    if (item.kind === Kind.LIST && isArray(values) && element && !isArray(element)) {
      names.push(String(values.indexOf(element)));
    }
  });
  return names;
}

function isArray(item: unknown): item is readonly ASTNode[] {
  return Array.isArray(item);
}

function isValue(node: ASTNode): boolean {
  return (
    node.kind === Kind.STRING ||
    node.kind === Kind.INT ||
    node.kind === Kind.FLOAT ||
    node.kind === Kind.BOOLEAN ||
    node.kind === Kind.ENUM ||
    node.kind === Kind.NULL ||
    node.kind === Kind.LIST ||
    node.kind === Kind.OBJECT
  );
}
