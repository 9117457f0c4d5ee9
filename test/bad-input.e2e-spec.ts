import { RunningApp } from '../src/bootstrap';
import { BREAKER_FIELDS, errorCode, gql, GraphqlResponse, gqlOk, TEST_ADMIN_KEY, useTestApp } from './support/test-app';

/**
 * Every operation with invalid input answers BAD_USER_INPUT naming the field (never INTERNAL_SERVER_ERROR),
 * an unknown breaker answers NOT_FOUND, and the values at the edges of each range are accepted.
 */
describe('bad input (e2e)', () => {
  let app: RunningApp;
  let existingBefore: any;

  const EXISTING = 'bad.existing';
  const UNKNOWN = 'bad.nobody';

  const fixture = useTestApp();

  beforeAll(async () => {
    app = fixture.app;
    await gqlOk(
      app,
      `mutation { registerBreaker(input: { name: "${EXISTING}", config: { failureThreshold: 1 } }) { name } }`,
    );
    existingBefore = await breaker(EXISTING);
  });

  const breaker = (name: string) =>
    gqlOk(app, `query($n: String!) { breaker(name: $n) { ${BREAKER_FIELDS} } }`, { n: name }).then((d) => d.breaker);
  const events = (name: string) =>
    gqlOk(
      app,
      `query($n: String) { breakerEvents(breakerName: $n, order: ASC, first: 500) { edges { node { type info } } } }`,
      { n: name },
    ).then((d) => d.breakerEvents.edges.map((e: any) => e.node));

  /** Asserts a BAD_USER_INPUT whose message names `mention`, with extensions.field equal to `field` when given. */
  function expectBadInput(result: GraphqlResponse<unknown>, mention: string, field?: string): void {
    expect(result.errors?.length).toBeGreaterThan(0);
    const [error] = result.errors!;
    expect({ code: error.extensions?.code, message: error.message }).toEqual({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining(mention),
    });
    if (field !== undefined) expect(error.extensions?.field).toBe(field);
    // No data: null outright, or null for the (nullable) field that failed.
    if (result.data !== null) for (const value of Object.values(result.data as object)) expect(value).toBeNull();
  }

  function expectNotFound(result: GraphqlResponse<unknown>, name: string): void {
    expect(errorCode(result)).toBe('NOT_FOUND');
    expect(result.errors![0].message).toContain(name);
    expect(result.data).toBeNull();
  }

  const lastSegment = (path: string) => path.split('.').pop()!;

  describe('breaker names', () => {
    const INVALID_NAMES: [string, string][] = [
      ['empty', ''],
      ['201 characters', 'n'.repeat(201)],
      ['a space', 'has space'],
      ['a leading space', ' leading'],
      ['#', 'bad#char'],
      ['*', 'wild*card'],
      ['a non-ASCII letter', 'café'],
      ['a newline', 'line\nbreak'],
    ];

    /** Each operation that takes a breaker name: its query (the name as $n) and the field path of the name. */
    const OPERATIONS: [string, string, string][] = [
      ['registerBreaker', `mutation($n: String!) { registerBreaker(input: { name: $n }) { name } }`, 'input.name'],
      ['breaker', `query($n: String!) { breaker(name: $n) { name } }`, 'name'],
      [
        'updateBreakerConfig',
        `mutation($n: String!) { updateBreakerConfig(name: $n, config: { failureThreshold: 2 }) { name } }`,
        'name',
      ],
      [
        'recordOutcome',
        `mutation($n: String!) { recordOutcome(input: { breakerName: $n, success: true }) { name } }`,
        'input.breakerName',
      ],
      [
        'recordOutcomes',
        `mutation($n: String!) { recordOutcomes(outcomes: [
           { breakerName: "${EXISTING}", success: false }, { breakerName: $n, success: true }]) { accepted } }`,
        'outcomes.1.breakerName',
      ],
      [
        'acquirePermission',
        `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted } }`,
        'breakerName',
      ],
      ['resetBreaker', `mutation($n: String!) { resetBreaker(name: $n) { name } }`, 'name'],
      ['forceOpenBreaker', `mutation($n: String!) { forceOpenBreaker(name: $n) { name } }`, 'name'],
      ['disableBreaker', `mutation($n: String!) { disableBreaker(name: $n) { name } }`, 'name'],
      ['breakerEvents', `query($n: String!) { breakerEvents(breakerName: $n) { edges { cursor } } }`, 'breakerName'],
      ['recoveryMetrics', `query($n: String!) { recoveryMetrics(breakerName: $n) { breakerName } }`, 'breakerName'],
    ];

    it.each(OPERATIONS)(
      '%s refuses an invalid name with BAD_USER_INPUT naming the field',
      async (_op, query, field) => {
        for (const [, name] of INVALID_NAMES) {
          const result = await gql(app, query, { n: name });
          expectBadInput(result, lastSegment(field), field);
        }
      },
    );
  });

  describe('config ranges', () => {
    /** [setting, value, what is wrong] just outside each range. */
    const OUT_OF_RANGE: [string, number][] = [
      ['failureThreshold', 0],
      ['failureThreshold', -1],
      ['failureThreshold', 10001],
      ['openTimeoutMs', 99],
      ['openTimeoutMs', 86_400_001],
      ['openTimeoutMs', 100.5],
      ['openTimeoutMs', 1e20],
      ['maxOpenTimeoutMs', 604_800_001],
      ['maxOpenTimeoutMs', 29_999],
      ['maxOpenTimeoutMs', 60_000.5],
      ['halfOpenMaxCalls', 0],
      ['halfOpenMaxCalls', 1001],
      ['successThreshold', 0],
      ['successThreshold', 1001],
    ];

    it.each(OUT_OF_RANGE)('registerBreaker refuses %s = %p and creates nothing', async (setting, value) => {
      const result = await gql(app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, {
        i: { name: 'bad.cfg-register', config: { [setting]: value } },
      });
      expectBadInput(result, setting, `input.config.${setting}`);
      expect(await breaker('bad.cfg-register')).toBeNull();
    });

    it.each(OUT_OF_RANGE)('updateBreakerConfig refuses %s = %p and changes nothing', async (setting, value) => {
      const result = await gql(
        app,
        `mutation($n: String!, $c: BreakerConfigInput!) { updateBreakerConfig(name: $n, config: $c) { name } }`,
        { n: EXISTING, c: { [setting]: value } },
      );
      expectBadInput(result, setting, `config.${setting}`);
      expect((await breaker(EXISTING)).config).toEqual(existingBefore.config);
    });

    it.each([{}, { failureThreshold: null }])(
      'updateBreakerConfig refuses a config that changes nothing: %p',
      async (c) => {
        const result = await gql(
          app,
          `mutation($n: String!, $c: BreakerConfigInput!) { updateBreakerConfig(name: $n, config: $c) { name } }`,
          { n: EXISTING, c },
        );
        expectBadInput(result, 'at least one setting', 'config');
      },
    );
  });

  describe('outcomes, reasons and paging arguments', () => {
    it('refuses a negative durationMs and an error over 2000 characters, alone or in a batch', async () => {
      const one = (input: Record<string, unknown>) =>
        gql(app, `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { name } }`, { i: input });
      const batch = (outcomes: Record<string, unknown>[]) =>
        gql(app, `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`, { o: outcomes });

      expectBadInput(
        await one({ breakerName: EXISTING, success: true, durationMs: -1 }),
        'durationMs',
        'input.durationMs',
      );
      expectBadInput(
        await one({ breakerName: EXISTING, success: false, durationMs: -0.001 }),
        'durationMs',
        'input.durationMs',
      );
      expectBadInput(
        await one({ breakerName: EXISTING, success: false, error: 'e'.repeat(2001) }),
        'error',
        'input.error',
      );

      const ok = { breakerName: EXISTING, success: false };
      expectBadInput(await batch([ok, ok, { ...ok, durationMs: -1 }]), 'durationMs', 'outcomes.2.durationMs');
      expectBadInput(await batch([ok, { ...ok, error: 'e'.repeat(2001) }, ok]), 'error', 'outcomes.1.error');

      // Nothing of the refused batches was applied (the first outcome would have opened the breaker).
      const after = await breaker(EXISTING);
      expect(after.state).toBe('CLOSED');
      expect(after.metrics.totalCalls).toBe(0);
    });

    it('refuses a reason over 2000 characters on every admin mutation', async () => {
      const reason = 'r'.repeat(2001);
      for (const mutation of ['resetBreaker', 'forceOpenBreaker', 'disableBreaker']) {
        const result = await gql(
          app,
          `mutation($n: String!, $r: String) { ${mutation}(name: $n, reason: $r) { name } }`,
          {
            n: EXISTING,
            r: reason,
          },
        );
        expectBadInput(result, 'reason', 'reason');
      }
      const update = await gql(
        app,
        `mutation($n: String!, $r: String) { updateBreakerConfig(name: $n, config: { failureThreshold: 2 }, reason: $r) { name } }`,
        { n: EXISTING, r: reason },
      );
      expectBadInput(update, 'reason', 'reason');
      expect(await breaker(EXISTING)).toMatchObject({ state: 'CLOSED', config: existingBefore.config });
      expect(await events(EXISTING)).toEqual([]);
    });

    it('refuses breakerEvents page sizes outside 1..500, a garbage cursor and too many types', async () => {
      const page = (args: Record<string, unknown>) =>
        gql(
          app,
          `query($first: Int, $after: String, $types: [RecoveryEventType!]) {
             breakerEvents(first: $first, after: $after, types: $types) { edges { cursor } } }`,
          args,
        );
      for (const first of [0, -1, 501]) expectBadInput(await page({ first }), 'first', 'first');

      const cursorOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
      const garbage = [
        'not a cursor',
        '%%%',
        '1', // a raw id is not a cursor
        cursorOf('event:abc'),
        cursorOf('event:-1'),
        cursorOf('other:1'),
        cursorOf('event:9223372036854775808'), // past Postgres's largest bigint
        cursorOf('event:9999999999999999999'),
        'x'.repeat(101),
      ];
      for (const after of garbage) expectBadInput(await page({ after }), 'after', 'after');
      for (const after of garbage) {
        const asc = await gql(app, `query($a: String) { breakerEvents(after: $a, order: ASC) { edges { cursor } } }`, {
          a: after,
        });
        expectBadInput(asc, 'after', 'after');
      }

      expectBadInput(await page({ types: Array(21).fill('CIRCUIT_OPENED') }), 'types', 'types');
    });
  });

  describe('GraphQL-level mistakes', () => {
    it('refuses wrong types in variables, naming the field', async () => {
      const register = `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`;
      expectBadInput(
        await gql(app, register, { i: { name: 'bad.types', config: { failureThreshold: 'five' } } }),
        'failureThreshold',
      );
      expectBadInput(
        await gql(app, register, { i: { name: 'bad.types', config: { failureThreshold: 2.5 } } }),
        'failureThreshold',
      );
      expectBadInput(
        await gql(app, register, { i: { name: 'bad.types', config: { failureThreshold: 2 ** 31 } } }),
        'failureThreshold',
      );
      expectBadInput(
        await gql(app, register, { i: { name: 'bad.types', config: { openTimeoutMs: '1000' } } }),
        'openTimeoutMs',
      );
      expectBadInput(await gql(app, register, { i: { name: 42 } }), 'name');
      expectBadInput(await gql(app, register, { i: { config: {} } }), 'name');
      expectBadInput(await gql(app, register, { i: null }), '$i');

      const outcome = `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { name } }`;
      expectBadInput(await gql(app, outcome, { i: { breakerName: EXISTING, success: 'yes' } }), 'success');
      expectBadInput(
        await gql(app, outcome, { i: { breakerName: EXISTING, success: true, durationMs: 'fast' } }),
        'durationMs',
      );
      expectBadInput(await gql(app, outcome, { i: { breakerName: EXISTING } }), 'success');

      const page = `query($f: Int, $s: BreakerState) { breakers(state: $s) { name } breakerEvents(first: $f) { edges { cursor } } }`;
      expectBadInput(await gql(app, page, { f: 'ten' }), '$f');
      expectBadInput(await gql(app, page, { s: 'BROKEN' }), 'BROKEN');
      expect(await breaker('bad.types')).toBeNull();
    });

    it('refuses wrong types written inline in the query, naming the field', async () => {
      const cases: [string, string, string][] = [
        [
          `mutation { registerBreaker(input: { name: "bad.inline", config: { failureThreshold: "five" } }) { name } }`,
          '"five"',
          'input.config.failureThreshold',
        ],
        [
          `mutation { registerBreaker(input: { name: "bad.inline", config: { failureThreshold: 1.5 } }) { name } }`,
          '1.5',
          'input.config.failureThreshold',
        ],
        [`mutation { registerBreaker(input: { name: 7 }) { name } }`, '7', 'input.name'],
        [
          `mutation { recordOutcome(input: { breakerName: "${EXISTING}", success: "no" }) { name } }`,
          '"no"',
          'input.success',
        ],
        [
          `mutation { recordOutcomes(outcomes: [{ breakerName: "${EXISTING}", success: true }, { breakerName: "${EXISTING}", success: 0 }]) { accepted } }`,
          '0',
          'outcomes.1.success',
        ],
        [`{ breakers(state: BROKEN) { name } }`, 'BROKEN', 'state'],
        [`{ breakerEvents(first: "ten") { edges { cursor } } }`, '"ten"', 'first'],
      ];
      for (const [query, mention, field] of cases) {
        const result = await gql(app, query);
        expectBadInput(result, mention, field);
        expect(result.errors![0].message.startsWith(`${field}: `)).toBe(true);
      }
      expect(await breaker('bad.inline')).toBeNull();
    });

    it('refuses unknown fields and arguments, naming them', async () => {
      expectBadInput(
        await gql(app, `mutation { registerBreaker(input: { name: "bad.unknown", bogus: 1 }) { name } }`),
        'bogus',
      );
      expectBadInput(
        await gql(app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, {
          i: { name: 'bad.unknown', config: { failureTreshold: 3 } },
        }),
        'failureTreshold',
      );
      expectBadInput(await gql(app, `{ breakers { name nope } }`), 'nope');
      expectBadInput(await gql(app, `{ breakers(color: RED) { name } }`), 'color');
      expectBadInput(await gql(app, `mutation { resetBreaker(name: "${EXISTING}", force: true) { name } }`), 'force');
      expectBadInput(await gql(app, `{ breaker { name } }`), 'name');
      expectBadInput(await gql(app, `{ noSuchQuery }`), 'noSuchQuery');
      expect(await breaker('bad.unknown')).toBeNull();
    });

    it('refuses a syntax error', async () => {
      expectBadInput(await gql(app, `{ breakers { name }`), 'Syntax Error');
      expectBadInput(await gql(app, `mutation { registerBreaker(input: { name: "x" ) { name } }`), 'Syntax Error');
      expectBadInput(await gql(app, `query {`), 'Syntax Error');
    });
  });

  describe('text that cannot be stored', () => {
    /** NUL, and UTF-16 halves with no partner: Postgres stores neither in text or jsonb. */
    const UNSTORABLE: [string, string][] = [
      ['a NUL', 'before\u0000after'],
      ['a lone high surrogate', 'broken \ud800 text'],
      ['a lone low surrogate', '\udc00'],
      ['surrogates in the wrong order', '\udc00\ud800'],
    ];

    it.each(UNSTORABLE)('refuses a reason with %s on every admin mutation', async (_what, reason) => {
      for (const mutation of ['resetBreaker', 'forceOpenBreaker', 'disableBreaker']) {
        const result = await gql(
          app,
          `mutation($n: String!, $r: String) { ${mutation}(name: $n, reason: $r) { name } }`,
          {
            n: EXISTING,
            r: reason,
          },
        );
        expectBadInput(result, 'reason', 'reason');
      }
      const update = await gql(
        app,
        `mutation($n: String!, $r: String) { updateBreakerConfig(name: $n, config: { failureThreshold: 2 }, reason: $r) { name } }`,
        { n: EXISTING, r: reason },
      );
      expectBadInput(update, 'reason', 'reason');
      expect(await events(EXISTING)).toEqual([]);
    });

    it.each(UNSTORABLE)('refuses a key name or an outcome error with %s', async (_what, text) => {
      expectBadInput(
        await gql(app, `mutation($v: String!) { createApiKey(name: $v, role: VIEWER) { info { id } } }`, { v: text }),
        'name',
        'name',
      );
      expectBadInput(
        await gql(
          app,
          `mutation($e: String) { recordOutcome(input: { breakerName: "${EXISTING}", success: false, error: $e }) { name } }`,
          {
            e: text,
          },
        ),
        'error',
        'input.error',
      );
      const keys = (await gqlOk(app, `{ apiKeys { name } }`)).apiKeys.map((k: { name: string }) => k.name);
      expect(keys).toEqual(['bootstrap-admin']);
    });

    it('accepts a reason with a properly paired emoji and other control characters', async () => {
      const result = await gql(
        app,
        `mutation($r: String) { forceOpenBreaker(name: "edge.text", reason: $r) { name } }`,
        {
          r: 'ok \ud83d\ude00 tab\t',
        },
      );
      expect(errorCode(result)).toBe('NOT_FOUND');
    });
  });

  describe('operations Apollo cannot run as sent', () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, ...((await r.json()) as Omit<GraphqlResponse<unknown>, 'status'>) }));

    const TWO = `query A { breakers { name } } query B { breakerEvents { edges { cursor } } }`;

    it('refuses an unknown operation name, naming operationName', async () => {
      const result = await post({ query: TWO, operationName: 'C' });
      expectBadInput({ ...result, data: result.data ?? null }, 'C', 'operationName');
      expect(result.status).toBe(400);
    });

    it('refuses a document of several operations without operationName', async () => {
      const result = await post({ query: TWO });
      expectBadInput({ ...result, data: result.data ?? null }, 'operationName', 'operationName');
      expect(result.status).toBe(400);
    });

    it('refuses a subscription sent over HTTP, pointing at graphql-ws', async () => {
      const result = await post({ query: `subscription { breakerStateChanged { to } }` });
      expectBadInput({ ...result, data: result.data ?? null }, 'graphql-ws');
      expect(result.status).toBe(400);
    });

    it('answers PERSISTED_QUERY_NOT_FOUND to an unknown persisted query, so Apollo clients send it in full', async () => {
      const result = await post({
        extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    });
  });

  describe('field arguments below the root', () => {
    it('refuses recentEvents(limit: 101) with BAD_USER_INPUT naming limit', async () => {
      const result = await gql(app, `{ recoveryReport { services { name recentEvents(limit: 101) { id } } } }`);
      expect(result.errors?.[0]).toMatchObject({
        message: expect.stringContaining('limit'),
        extensions: { code: 'BAD_USER_INPUT', field: 'limit' },
      });
    });
  });

  describe('unknown breakers', () => {
    it('answers NOT_FOUND from every operation on a breaker, naming it', async () => {
      const ops = [
        `mutation($n: String!) { recordOutcome(input: { breakerName: $n, success: false }) { name } }`,
        `mutation($n: String!) { recordOutcomes(outcomes: [{ breakerName: $n, success: false }]) { accepted } }`,
        `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted } }`,
        `mutation($n: String!) { resetBreaker(name: $n, reason: "r") { name } }`,
        `mutation($n: String!) { forceOpenBreaker(name: $n) { name } }`,
        `mutation($n: String!) { disableBreaker(name: $n) { name } }`,
        `mutation($n: String!) { updateBreakerConfig(name: $n, config: { failureThreshold: 2 }) { name } }`,
        `query($n: String!) { breakerEvents(breakerName: $n) { edges { cursor } } }`,
        `query($n: String!) { breakerEvents(breakerName: $n, order: ASC, types: [CIRCUIT_OPENED], first: 1) { edges { cursor } } }`,
        `query($n: String!) { recoveryMetrics(breakerName: $n) { breakerName } }`,
      ];
      for (const query of ops) expectNotFound(await gql(app, query, { n: UNKNOWN }), UNKNOWN);
      // None of them created it.
      expect(await breaker(UNKNOWN)).toBeNull();
    });

    it('answers an empty page, not NOT_FOUND, for a known breaker with no events', async () => {
      const result = await gql(
        app,
        `query($n: String!) { breakerEvents(breakerName: $n) { edges { cursor } pageInfo { hasNextPage endCursor } } }`,
        {
          n: EXISTING,
        },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ breakerEvents: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
    });
  });

  describe('boundary values', () => {
    const register = (name: string, config: Record<string, unknown>) =>
      gql(app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { ${BREAKER_FIELDS} } }`, {
        i: { name, config },
      });

    it('accepts every setting at the low and high ends of its range', async () => {
      const low = {
        failureThreshold: 1,
        openTimeoutMs: 100,
        maxOpenTimeoutMs: 100,
        halfOpenMaxCalls: 1,
        successThreshold: 1,
      };
      const high = {
        failureThreshold: 10000,
        openTimeoutMs: 86_400_000,
        maxOpenTimeoutMs: 604_800_000,
        halfOpenMaxCalls: 1000,
        successThreshold: 1000,
      };
      const lowResult = await register('edge.low', low);
      expect(lowResult.errors).toBeUndefined();
      expect(lowResult.data.registerBreaker.config).toEqual(low);
      const highResult = await register('edge.high', high);
      expect(highResult.errors).toBeUndefined();
      expect(highResult.data.registerBreaker.config).toEqual(high);

      const weekCap = await register('edge.week-cap', { maxOpenTimeoutMs: 604_800_000 });
      expect(weekCap.errors).toBeUndefined();
      expect(weekCap.data.registerBreaker.config.maxOpenTimeoutMs).toBe(604_800_000);

      // And the same ends through updateBreakerConfig, both ways.
      const toHigh = await gql(
        app,
        `mutation($c: BreakerConfigInput!) { updateBreakerConfig(name: "edge.low", config: $c) { ${BREAKER_FIELDS} } }`,
        { c: high },
      );
      expect(toHigh.errors).toBeUndefined();
      expect(toHigh.data.updateBreakerConfig.config).toEqual(high);
      const toLow = await gql(
        app,
        `mutation($c: BreakerConfigInput!) { updateBreakerConfig(name: "edge.low", config: $c) { ${BREAKER_FIELDS} } }`,
        { c: low },
      );
      expect(toLow.errors).toBeUndefined();
      expect(toLow.data.updateBreakerConfig.config).toEqual(low);
    });

    it('accepts names of 1 and 200 characters made of every allowed character', async () => {
      const allowed = 'AZaz09._:/@-';
      const long = allowed.repeat(Math.ceil(200 / allowed.length)).slice(0, 200);
      expect(long).toHaveLength(200);
      for (const name of ['x', long]) {
        const created = await register(name, { failureThreshold: 1 });
        expect(created.errors).toBeUndefined();
        expect(created.data.registerBreaker.name).toBe(name);
        expect((await breaker(name)).name).toBe(name);
        const permission = await gqlOk(
          app,
          `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted state } }`,
          { n: name },
        );
        expect(permission.acquirePermission).toEqual({ permitted: true, state: 'CLOSED' });
        const opened = await gqlOk(
          app,
          `mutation($n: String!) { recordOutcome(input: { breakerName: $n, success: false }) { state } }`,
          {
            n: name,
          },
        );
        expect(opened.recordOutcome.state).toBe('OPEN');
        const history = await gqlOk(
          app,
          `query($n: String!) { breakerEvents(breakerName: $n) { edges { node { breakerName type } } } }`,
          {
            n: name,
          },
        );
        expect(history.breakerEvents.edges).toEqual([{ node: { breakerName: name, type: 'CIRCUIT_OPENED' } }]);
        const m = await gqlOk(
          app,
          `query($n: String!) { recoveryMetrics(breakerName: $n) { breakerName totalFailures } }`,
          { n: name },
        );
        expect(m.recoveryMetrics).toEqual([{ breakerName: name, totalFailures: 1 }]);
      }
    });

    it('accepts durationMs 0 or fractional, an error of 2000 characters and a reason of 2000 characters', async () => {
      const name = 'edge.outcomes';
      await register(name, { failureThreshold: 100 });
      const outcome = await gql(
        app,
        `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted breakers { metrics { totalCalls totalFailures } } } }`,
        {
          o: [
            { breakerName: name, success: true, durationMs: 0 },
            { breakerName: name, success: true, durationMs: 12.75 },
            { breakerName: name, success: false, durationMs: 1e9, error: 'e'.repeat(2000) },
            { breakerName: name, success: false, durationMs: null, error: null },
          ],
        },
      );
      expect(outcome.errors).toBeUndefined();
      expect(outcome.data.recordOutcomes).toEqual({
        accepted: 4,
        breakers: [{ metrics: { totalCalls: 4, totalFailures: 2 } }],
      });

      const reason = 'r'.repeat(2000);
      for (const mutation of ['forceOpenBreaker', 'disableBreaker', 'resetBreaker']) {
        const result = await gql(
          app,
          `mutation($n: String!, $r: String) { ${mutation}(name: $n, reason: $r) { name } }`,
          {
            n: name,
            r: reason,
          },
        );
        expect(result.errors).toBeUndefined();
      }
      const update = await gql(
        app,
        `mutation($n: String!, $r: String) { updateBreakerConfig(name: $n, config: { successThreshold: 1 }, reason: $r) { name } }`,
        { n: name, r: reason },
      );
      expect(update.errors).toBeUndefined();
      const history = await events(name);
      expect(history.map((e: any) => e.type)).toEqual([
        'CIRCUIT_FORCED_OPEN',
        'CIRCUIT_DISABLED',
        'CIRCUIT_RESET',
        'CONFIG_CHANGED',
      ]);
      for (const e of history) expect(e.info.reason).toBe(reason);
    });

    it('accepts breakerEvents page sizes of 1 and 500', async () => {
      await register('edge.pages', { failureThreshold: 1 });
      for (let i = 0; i < 2; i++) {
        await gqlOk(app, `mutation { recordOutcome(input: { breakerName: "edge.pages", success: false }) { name } }`);
        await gqlOk(app, `mutation { resetBreaker(name: "edge.pages") { name } }`);
      }
      for (const first of [1, 500]) {
        const result = await gql(
          app,
          `query($f: Int) { breakerEvents(first: $f) { edges { cursor } pageInfo { hasNextPage } } }`,
          {
            f: first,
          },
        );
        expect(result.errors).toBeUndefined();
        const total = (await gqlOk(app, `{ breakerEvents(first: 500) { edges { cursor } } }`)).breakerEvents.edges
          .length;
        expect(total).toBeGreaterThan(1);
        expect(result.data.breakerEvents.edges).toHaveLength(Math.min(first, total));
        expect(result.data.breakerEvents.pageInfo.hasNextPage).toBe(total > first);
      }
    });
  });

  it('left the existing breaker exactly as it was after all the refused input', async () => {
    const now = await breaker(EXISTING);
    expect(now).toEqual(existingBefore);
    expect(await events(EXISTING)).toEqual([]);
    const names = (await gqlOk(app, `{ breakers { name } }`)).breakers.map((b: any) => b.name);
    for (const name of names) {
      expect(name.length).toBeGreaterThanOrEqual(1);
      expect(name.length).toBeLessThanOrEqual(200);
      expect(name).toMatch(/^[A-Za-z0-9._:/@-]+$/);
    }
    for (const refused of ['bad.cfg-register', 'bad.types', 'bad.inline', 'bad.unknown', UNKNOWN]) {
      expect(names).not.toContain(refused);
    }
  });
});
