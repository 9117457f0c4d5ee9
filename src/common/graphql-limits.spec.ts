import { buildSchema, getOperationAST, GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { operationCost, queryShapeRule } from './graphql-limits';
import { LIST_BOUND } from './operation-meter';

const schema = buildSchema(`
  type Event { id: ID, type: String, breaker: Breaker }
  type Edge { cursor: String, node: Event }
  type PageInfo { hasNextPage: Boolean }
  type Connection { edges: [Edge!]!, pageInfo: PageInfo }
  type Breaker { name: String, state: String, recentEvents(limit: Int = 10): [Event!]!, events(first: Int = 50): Connection }
  type Query { breakers: [Breaker!]!, breaker(name: String): Breaker, events(first: Int = 50): Connection }
`);

const LIMITS = { maxQueryDepth: 12, maxAliases: 100, maxDirectives: 50 };

function cost(query: string, variables: Record<string, unknown> = {}, unpagedList = 100): number {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, { variables, unpagedList });
}

function shapeErrors(query: string): string[] {
  return validate(schema, parse(query), [...specifiedRules, queryShapeRule(LIMITS)]).map(
    (e: GraphQLError) => e.message,
  );
}

/** `levels` fragments on Breaker, each spreading the one below twice: 2^levels names. */
function doubling(levels: number, on = 'Breaker'): string {
  const fragments = [`fragment F0 on ${on} { name }`];
  for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on ${on} { ...F${i - 1} ...F${i - 1} }`);
  return fragments.join(' ');
}

describe('operationCost', () => {
  it('counts each field once, and lists by their page size: literal, variable, operation default or argument default', () => {
    expect(cost('{ breaker(name: "a") { name state } }')).toBe(3);
    const page = (args: string) => `{ events${args} { edges { node { id type } } pageInfo { hasNextPage } } }`;
    // events + edges + pageInfo + hasNextPage, then node, id and type for each of the page's edges.
    expect(cost(page('(first: 500)'))).toBe(1 + 1 + 1 + 1 + 500 * 3);
    expect(cost(`query($n: Int) ${page('(first: $n)')}`, { n: 500 })).toBe(cost(page('(first: 500)')));
    expect(cost(`query($n: Int = 500) ${page('(first: $n)')}`)).toBe(cost(page('(first: 500)')));
    expect(cost(`query($n: Int = 7) ${page('(first: $n)')}`, { n: 500 })).toBe(cost(page('(first: 500)')));
    expect(cost(page(''))).toBe(cost(page('(first: 50)')));
    expect(cost(`query($n: Int) ${page('(first: $n)')}`, { n: null })).toBe(cost(page('(first: 50)')));
  });

  it('counts an unpaged list as unpagedList items, and a paged list inside it by its page', () => {
    expect(cost('{ breakers { name state } }', {}, 400)).toBe(1 + 400 * 2);
    expect(cost('{ breakers { recentEvents { id } } }', {}, 400)).toBe(1 + 400 * (1 + 10));
    expect(cost('{ breakers { recentEvents(limit: 100) { id } } }', {}, 0)).toBe(1);
  });

  it('counts an unpaged list that declares a LIST_BOUND as that many items, however many breakers there are', () => {
    const bounded = buildSchema(
      `type Point { at: String, calls: Float } type Query { points: [Point!]!, all: [Point!]! }`,
    );
    bounded.getQueryType()!.getFields().points.extensions = { [LIST_BOUND]: 1000 };
    const measure = (query: string, unpagedList: number) => {
      const document = parse(query);
      return operationCost(bounded, document, getOperationAST(document)!, { variables: {}, unpagedList });
    };
    expect(measure('{ points { at calls } }', 0)).toBe(1 + 1000 * 2);
    expect(measure('{ points { at calls } }', 5_000_000)).toBe(1 + 1000 * 2);
    expect(measure('{ all { at calls } }', 3)).toBe(1 + 3 * 2);
  });

  it('hands a connection’s page size to a list inside a fragment, whatever page each spread sits under', () => {
    const fragment = 'fragment Page on Connection { edges { node { id } } pageInfo { hasNextPage } }';
    const spread = (first: number) => `events(first: ${first}) { ...Page }`;
    const inline = (first: number) => `events(first: ${first}) { edges { node { id } } pageInfo { hasNextPage } }`;
    expect(cost(`{ a: ${spread(3)} b: ${spread(400)} } ${fragment}`)).toBe(
      cost(`{ a: ${inline(3)} b: ${inline(400)} }`),
    );
  });

  it('costs 30 levels of doubling fragments by what they resolve, without walking each spread', () => {
    expect(cost(`{ breakers { ...F30 } } ${doubling(30)}`, {}, 1)).toBe(1 + 2 ** 30);
    expect(cost(`{ breakers { ...F30 } } ${doubling(30)}`, {}, 400)).toBe(1 + 400 * 2 ** 30);
    // 1100 levels overflow a double; the figure stays an upper bound rather than NaN.
    expect(cost(`{ breakers { ...F1100 } } ${doubling(1100)}`)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('queryShapeRule', () => {
  it('refuses too many aliases and too deep a query, counted through fragments', () => {
    const aliases = Array.from({ length: 101 }, (_, i) => `a${i}: name`).join(' ');
    expect(shapeErrors(`{ breakers { ...A } } fragment A on Breaker { ${aliases} }`)).toEqual([
      'the query uses 101 aliases; at most 100 are allowed',
    ]);
    const nested = (n: number): string =>
      n === 0 ? 'name' : `events { edges { node { breaker { ${nested(n - 1)} } } } }`;
    expect(shapeErrors(`{ breaker(name: "a") { ${nested(2)} } }`)).toEqual([]);
    const tooDeep = ['the query is 14 levels deep; at most 12 are allowed'];
    expect(shapeErrors(`{ breaker(name: "a") { ${nested(3)} } }`)).toEqual(tooDeep);
    expect(shapeErrors(`{ breaker(name: "a") { ...D } } fragment D on Breaker { ${nested(3)} }`)).toEqual(tooDeep);
  });

  it('counts the aliases of a fragment spread twice twice, in linear time however deep the doubling', () => {
    const fragments = [`fragment F0 on Breaker { a: name }`];
    for (let i = 1; i <= 30; i++) fragments.push(`fragment F${i} on Breaker { ...F${i - 1} ...F${i - 1} }`);
    expect(shapeErrors(`{ breakers { ...F30 } } ${fragments.join(' ')}`)).toEqual([
      `the query uses ${2 ** 30} aliases; at most 100 are allowed`,
    ]);
  });

  it('refuses more directives than allowed in the document, before measuring anything else', () => {
    const repeated = Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ');
    expect(shapeErrors(`{ ${repeated} }`)).toEqual(['the query uses 51 directives; at most 50 are allowed']);
    expect(shapeErrors(`{ ${repeated.replace(/ @include\(if: true\)$/, '')} }`)).toEqual([]);
  });

  it('ignores a fragment cycle, which graphql-js reports itself', () => {
    const errors = shapeErrors(`{ breakers { ...A } } fragment A on Breaker { ...B } fragment B on Breaker { ...A }`);
    expect(errors.some((m) => /Cannot spread fragment "A" within itself/.test(m))).toBe(true);
  });
});
