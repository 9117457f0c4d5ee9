import { errorCode, gql, gqlOk, useTestApp } from './support/test-app';

/** breakerEvents: order, keyset pages with opaque cursors, filters by breaker and type, and id order. */
describe('breakerEvents pagination (e2e)', () => {
  const fixture = useTestApp();

  interface Node {
    id: string;
    breakerName: string;
    type: string;
    occurredAt: string;
    durationSinceLastMs: number | null;
    fromState: string | null;
    toState: string | null;
    info: any;
  }
  interface Page {
    edges: { cursor: string; node: Node }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  }
  interface PageArgs {
    breakerName?: string;
    types?: string[];
    first?: number;
    after?: string;
    order?: 'ASC' | 'DESC';
  }
  /** What the generator did, in commit order: one entry per event it caused. */
  interface Expected {
    breakerName: string;
    type: string;
    reason?: string | null;
  }

  const PAGE_QUERY = `query($breakerName: String, $types: [RecoveryEventType!], $first: Int, $after: String, $order: SortOrder) {
    breakerEvents(breakerName: $breakerName, types: $types, first: $first, after: $after, order: $order) {
      edges { cursor node { id breakerName type occurredAt durationSinceLastMs fromState toState info } }
      pageInfo { hasNextPage endCursor } } }`;

  const ARG_TYPES: Record<keyof PageArgs, string> = {
    breakerName: 'String',
    types: '[RecoveryEventType!]',
    first: 'Int',
    after: 'String',
    order: 'SortOrder',
  };

  /** One page. Arguments left out are not sent at all, so the schema's defaults apply. */
  const page = (args: PageArgs): Promise<Page> => {
    const keys = (Object.keys(args) as (keyof PageArgs)[]).filter((k) => args[k] !== undefined);
    const defs = keys.length ? `(${keys.map((k) => `$${k}: ${ARG_TYPES[k]}`).join(', ')})` : '';
    const call = keys.length ? `(${keys.map((k) => `${k}: $${k}`).join(', ')})` : '';
    return gqlOk(
      fixture.app,
      `query${defs} { breakerEvents${call} {
         edges { cursor node { id breakerName type occurredAt durationSinceLastMs fromState toState info } }
         pageInfo { hasNextPage endCursor } } }`,
      args as Record<string, unknown>,
    ).then((d) => d.breakerEvents);
  };

  /** Walks every page with `after`, checking each page's shape on the way; answers the edges in order. */
  async function walk(args: Omit<PageArgs, 'after'> & { first: number }): Promise<Page['edges']> {
    const edges: Page['edges'] = [];
    let after: string | undefined;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(1000);
      const p = await page(after === undefined ? args : { ...args, after });
      expect(p.edges.length).toBeLessThanOrEqual(args.first);
      edges.push(...p.edges);
      if (!p.pageInfo.hasNextPage) {
        expect(p.pageInfo.endCursor).toBe(p.edges.length ? p.edges[p.edges.length - 1].cursor : null);
        return edges;
      }
      // Only the last page may be short, and a page with more after it is never empty.
      expect(p.edges).toHaveLength(args.first);
      expect(p.pageInfo.endCursor).toBe(p.edges[p.edges.length - 1].cursor);
      after = p.pageInfo.endCursor!;
    }
  }

  const register = (name: string) =>
    gqlOk(
      fixture.app,
      `mutation($n: String!) { registerBreaker(input: { name: $n, config: { failureThreshold: 1, openTimeoutMs: 600000 } }) { name } }`,
      {
        n: name,
      },
    );
  const fail = (name: string) =>
    gqlOk(
      fixture.app,
      `mutation($n: String!) { recordOutcome(input: { breakerName: $n, success: false }) { state } }`,
      {
        n: name,
      },
    );
  const adminAction = (mutation: string, name: string, reason: string | null) =>
    gqlOk(fixture.app, `mutation($n: String!, $r: String) { ${mutation}(name: $n, reason: $r) { state } }`, {
      n: name,
      r: reason,
    });
  const configure = (name: string, successThreshold: number, reason: string) =>
    gqlOk(
      fixture.app,
      `mutation($n: String!, $s: Int, $r: String) { updateBreakerConfig(name: $n, config: { successThreshold: $s }, reason: $r) { name } }`,
      {
        n: name,
        s: successThreshold,
        r: reason,
      },
    );

  /**
   * Drives two breakers through `cycles` rounds of transitions, interleaved, and answers the events
   * they cause in commit order. Open periods are long, so nothing moves by itself meanwhile.
   */
  async function generate(p: string, q: string, cycles: number): Promise<Expected[]> {
    await register(p);
    await register(q);
    const log: Expected[] = [];
    for (let i = 0; i < cycles; i++) {
      await fail(p);
      log.push({ breakerName: p, type: 'CIRCUIT_OPENED' });
      await fail(q);
      log.push({ breakerName: q, type: 'CIRCUIT_OPENED' });
      await adminAction('resetBreaker', p, `p-reset-${i}`);
      log.push({ breakerName: p, type: 'CIRCUIT_RESET', reason: `p-reset-${i}` });
      if (i % 3 === 0) {
        await configure(p, (i % 5) + 1, `p-config-${i}`);
        log.push({ breakerName: p, type: 'CONFIG_CHANGED', reason: `p-config-${i}` });
      }
      await adminAction('forceOpenBreaker', q, `q-force-${i}`);
      log.push({ breakerName: q, type: 'CIRCUIT_FORCED_OPEN', reason: `q-force-${i}` });
      await adminAction('resetBreaker', q, null);
      log.push({ breakerName: q, type: 'CIRCUIT_RESET', reason: null });
    }
    return log;
  }

  const ids = (edges: Page['edges']) => edges.map((e) => e.node.id);
  const describeEvent = (n: Node) => ({ breakerName: n.breakerName, type: n.type, reason: n.info.reason });
  const describeExpected = (e: Expected) => ({ breakerName: e.breakerName, type: e.type, reason: e.reason });

  function expectStrictlyIncreasing(values: string[]): void {
    for (let i = 1; i < values.length; i++) expect(BigInt(values[i])).toBeGreaterThan(BigInt(values[i - 1]));
  }

  it('answers newest first by default and oldest first with order: ASC', async () => {
    const [p, q] = ['order.p', 'order.q'];
    const log = await generate(p, q, 4);
    const pLog = log.filter((e) => e.breakerName === p);

    const desc = await page({ breakerName: p, first: 500 });
    expect(desc.edges.map((e) => describeEvent(e.node))).toEqual([...pLog].reverse().map(describeExpected));
    expectStrictlyIncreasing(ids(desc.edges).reverse());
    expect(desc.pageInfo.hasNextPage).toBe(false);

    const explicitDesc = await page({ breakerName: p, first: 500, order: 'DESC' });
    expect(explicitDesc).toEqual(desc);

    const asc = await page({ breakerName: p, first: 500, order: 'ASC' });
    expect(asc.edges.map((e) => describeEvent(e.node))).toEqual(pLog.map(describeExpected));
    expect(ids(asc.edges)).toEqual(ids(desc.edges).reverse());
    expectStrictlyIncreasing(ids(asc.edges));

    // Oldest first is the breaker's own timeline: times never go back, and each gap is the time since the previous event.
    const nodes = asc.edges.map((e) => e.node);
    expect(nodes[0].durationSinceLastMs).toBeNull();
    for (let i = 1; i < nodes.length; i++) {
      const gap = Date.parse(nodes[i].occurredAt) - Date.parse(nodes[i - 1].occurredAt);
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(nodes[i].durationSinceLastMs).toBe(gap);
    }
  });

  it('serves 50 events per page by default', async () => {
    const name = 'default-size.p';
    await register(name);
    for (let i = 0; i < 28; i++) {
      await fail(name);
      await adminAction('resetBreaker', name, null);
    }
    const first = await page({ breakerName: name });
    expect(first.edges).toHaveLength(50);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges[0].node.type).toBe('CIRCUIT_RESET');
    const rest = await page({ breakerName: name, after: first.pageInfo.endCursor! });
    expect(rest.edges).toHaveLength(6);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(rest.edges[rest.edges.length - 1].node.type).toBe('CIRCUIT_OPENED');
  });

  it('pages with first, hasNextPage and endCursor', async () => {
    const [p, q] = ['pages.p', 'pages.q'];
    const log = await generate(p, q, 3);
    const pCount = log.filter((e) => e.breakerName === p).length;
    expect(pCount).toBe(7);
    const all = (await page({ breakerName: p, first: 500 })).edges;

    const firstPage = await page({ breakerName: p, first: 3 });
    expect(firstPage.edges).toEqual(all.slice(0, 3));
    expect(firstPage.pageInfo).toEqual({ hasNextPage: true, endCursor: all[2].cursor });

    const second = await page({ breakerName: p, first: 3, after: firstPage.pageInfo.endCursor! });
    expect(second.edges).toEqual(all.slice(3, 6));
    expect(second.pageInfo).toEqual({ hasNextPage: true, endCursor: all[5].cursor });

    const last = await page({ breakerName: p, first: 3, after: second.pageInfo.endCursor! });
    expect(last.edges).toEqual(all.slice(6));
    expect(last.edges).toHaveLength(1);
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: all[6].cursor });

    // Exactly one page's worth: no next page. One less: a next page.
    expect((await page({ breakerName: p, first: 7 })).pageInfo).toEqual({
      hasNextPage: false,
      endCursor: all[6].cursor,
    });
    expect((await page({ breakerName: p, first: 6 })).pageInfo).toEqual({
      hasNextPage: true,
      endCursor: all[5].cursor,
    });

    // After the last event: an empty page.
    expect(await page({ breakerName: p, first: 3, after: all[6].cursor })).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });

    // Any edge's cursor resumes right after that edge.
    for (const k of [0, 4])
      expect((await page({ breakerName: p, first: 500, after: all[k].cursor })).edges).toEqual(all.slice(k + 1));
  });

  it('walking every page returns every event exactly once, in order, for both orders and any page size', async () => {
    const [p, q] = ['walk.p', 'walk.q'];
    const log = await generate(p, q, 5);
    const pLog = log.filter((e) => e.breakerName === p).map(describeExpected);
    expect(pLog).toHaveLength(12);

    for (const order of ['ASC', 'DESC'] as const) {
      const expected = order === 'ASC' ? pLog : [...pLog].reverse();
      const reference = ids((await page({ breakerName: p, first: 500, order })).edges);
      for (const first of [1, 2, 5, 11, 12, 13]) {
        const edges = await walk({ breakerName: p, first, order });
        expect(edges.map((e) => describeEvent(e.node))).toEqual(expected);
        expect(ids(edges)).toEqual(reference);
        expect(new Set(ids(edges)).size).toBe(edges.length);
        expect(new Set(edges.map((e) => e.cursor)).size).toBe(edges.length);
      }
    }
  });

  it('filters by type, also across pages', async () => {
    const [p, q] = ['types.p', 'types.q'];
    const log = await generate(p, q, 4);

    const opened = await page({ breakerName: p, types: ['CIRCUIT_OPENED'], first: 500, order: 'ASC' });
    expect(opened.edges.map((e) => e.node.type)).toEqual([
      'CIRCUIT_OPENED',
      'CIRCUIT_OPENED',
      'CIRCUIT_OPENED',
      'CIRCUIT_OPENED',
    ]);

    const wanted = ['CIRCUIT_RESET', 'CONFIG_CHANGED'];
    const expected = log.filter((e) => e.breakerName === p && wanted.includes(e.type)).map(describeExpected);
    expect(expected).toHaveLength(6);
    for (const order of ['ASC', 'DESC'] as const) {
      const edges = await walk({ breakerName: p, types: wanted, first: 4, order });
      expect(edges.map((e) => describeEvent(e.node))).toEqual(order === 'ASC' ? expected : [...expected].reverse());
    }

    // A type the breaker never had: an empty page, not an error.
    expect(await page({ breakerName: p, types: ['RECOVERY_SUCCEEDED'] })).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });

    // Across all breakers, only the asked-for types come back, and this test's q has all its forced opens there.
    const forced = await walk({ types: ['CIRCUIT_FORCED_OPEN'], first: 3, order: 'ASC' });
    for (const e of forced) expect(e.node.type).toBe('CIRCUIT_FORCED_OPEN');
    expect(forced.filter((e) => e.node.breakerName === q).map((e) => e.node.info.reason)).toEqual([
      'q-force-0',
      'q-force-1',
      'q-force-2',
      'q-force-3',
    ]);
  });

  it('answers one breaker with breakerName, and every breaker, interleaved in commit order, without it', async () => {
    const [p, q, other] = ['scope.p', 'scope.q', 'scope.other'];
    await register(other);
    await fail(other);
    const log = await generate(p, q, 3);

    const onlyP = (await page({ breakerName: p, first: 500, order: 'ASC' })).edges.map((e) => e.node);
    expect(onlyP.every((n) => n.breakerName === p)).toBe(true);
    expect(onlyP.map(describeEvent)).toEqual(log.filter((e) => e.breakerName === p).map(describeExpected));

    const everything = (await walk({ first: 7, order: 'ASC' })).map((e) => e.node);
    expectStrictlyIncreasing(everything.map((n) => n.id));
    const ours = everything.filter((n) => n.breakerName === p || n.breakerName === q);
    expect(ours.map(describeEvent)).toEqual(log.map(describeExpected));
    // Other breakers' events are in there too, but not in the filtered answers.
    expect(everything.some((n) => n.breakerName === other)).toBe(true);
    expect(onlyP.some((n) => n.breakerName === other)).toBe(false);

    // Newest first across all breakers starts with the last thing this test did.
    const newest = await page({ first: 2 });
    expect(newest.edges.map((e) => describeEvent(e.node))).toEqual(log.slice(-2).reverse().map(describeExpected));
  });

  it('gives one breaker increasing ids in commit order, even under concurrent writers', async () => {
    const name = 'commit-order.p';
    await register(name);
    const ops = Array.from({ length: 40 }, (_, i) => {
      switch (i % 4) {
        case 0:
        case 2:
          return fail(name);
        case 1:
          return adminAction('resetBreaker', name, `reset-${i}`);
        default:
          return adminAction('forceOpenBreaker', name, `force-${i}`);
      }
    });
    await Promise.all(ops);

    const nodes = (await walk({ breakerName: name, first: 9, order: 'ASC' })).map((e) => e.node);
    expectStrictlyIncreasing(nodes.map((n) => n.id));
    expect(nodes.filter((n) => n.type === 'CIRCUIT_RESET')).toHaveLength(10);
    expect(nodes.filter((n) => n.type === 'CIRCUIT_FORCED_OPEN')).toHaveLength(10);
    // In id order the events form one unbroken chain of states, each starting where the previous ended, in time order.
    expect(nodes[0].fromState).toBe('CLOSED');
    for (let i = 1; i < nodes.length; i++) {
      expect(nodes[i].fromState).toBe(nodes[i - 1].toState);
      expect(Date.parse(nodes[i].occurredAt)).toBeGreaterThanOrEqual(Date.parse(nodes[i - 1].occurredAt));
    }
    const final = await gqlOk(fixture.app, `query($n: String!) { breaker(name: $n) { state } }`, { n: name });
    expect(final.breaker.state).toBe(nodes[nodes.length - 1].toState);
  });

  it('resumes an oldest-first feed from its last cursor with exactly the events added since', async () => {
    const [p, q] = ['feed.p', 'feed.q'];
    await generate(p, q, 2);
    const seen = await walk({ breakerName: p, first: 4, order: 'ASC' });
    const endCursor = seen[seen.length - 1].cursor;
    expect(await page({ breakerName: p, order: 'ASC', after: endCursor })).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });

    await fail(p);
    await fail(q);
    await adminAction('disableBreaker', p, 'feed-later');
    const resumed = await page({ breakerName: p, order: 'ASC', after: endCursor });
    expect(resumed.edges.map((e) => describeEvent(e.node))).toEqual([
      { breakerName: p, type: 'CIRCUIT_OPENED', reason: undefined },
      { breakerName: p, type: 'CIRCUIT_DISABLED', reason: 'feed-later' },
    ]);
    expect(resumed.pageInfo).toEqual({ hasNextPage: false, endCursor: resumed.edges[1].cursor });
    expect(BigInt(resumed.edges[0].node.id)).toBeGreaterThan(BigInt(seen[seen.length - 1].node.id));
  });

  it('uses opaque cursors, not raw ids', async () => {
    const [p, q] = ['cursor.p', 'cursor.q'];
    await generate(p, q, 2);
    const edges = (await page({ breakerName: p, first: 500, order: 'ASC' })).edges;
    expect(edges.length).toBeGreaterThan(0);
    for (const { cursor, node } of edges) {
      expect(typeof cursor).toBe('string');
      expect(cursor).not.toBe(node.id);
      expect(cursor).not.toMatch(/^[0-9]+$/);
      expect(typeof node.id).toBe('string');
    }
    // A raw id is not accepted where a cursor is expected.
    const raw = await gql(fixture.app, PAGE_QUERY, {
      breakerName: p,
      after: edges[0].node.id,
      first: 10,
      order: 'ASC',
    });
    expect(errorCode(raw)).toBe('BAD_USER_INPUT');
    expect(raw.errors![0].extensions!.field).toBe('after');
    // A cursor works across filters: it marks a position, after which the other breaker's events follow.
    const qAfter = await page({ breakerName: q, first: 500, order: 'ASC', after: edges[0].cursor });
    expect(qAfter.edges.length).toBeGreaterThan(0);
    for (const e of qAfter.edges) expect(BigInt(e.node.id)).toBeGreaterThan(BigInt(edges[0].node.id));
  });
});
