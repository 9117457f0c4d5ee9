import fc from 'fast-check';
import { connect, Socket } from 'node:net';
import WebSocket from 'ws';
import { RunningApp } from '../src/bootstrap';
import {
  errorCode,
  eventually,
  gql,
  gqlOk,
  GraphqlResponse,
  startTestApp,
  TEST_ADMIN_KEY,
  useTestApp,
} from './support/test-app';
import { subscribe } from './support/ws-client';
import { createTestDatabase } from './support/test-database';

describe('hostile input (e2e)', () => {
  let app: RunningApp;
  const fixture = useTestApp({ env: { NODE_ENV: 'production' } });

  beforeAll(async () => {
    app = fixture.app;
    await gqlOk(app, `mutation { registerBreaker(input: { name: "target" }) { name } }`);
  });

  const post = (body: string | Buffer) =>
    fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body,
    });

  it('answers 413 to a body over 5 MB and 400 to malformed JSON', async () => {
    const big = JSON.stringify({ query: '{ breakers { name } }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    expect((await post(big)).status).toBe(413);
    for (const body of ['{bad', '{"query": ', '[1,', 'null garbage']) expect((await post(body)).status).toBe(400);
  });

  it('refuses a 2000-alias query before it runs, with a clear message', async () => {
    const aliases = Array.from(
      { length: 2000 },
      (_, i) => `a${i}: registerBreaker(input: { name: "alias-${i}" }) { name }`,
    );
    const result = await gql(app, `mutation { ${aliases.join(' ')} }`);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toBe('the query uses 2000 aliases; at most 100 are allowed');
    expect((await gqlOk(app, `{ breaker(name: "alias-0") { name } }`)).breaker).toBeNull();
  });

  it('refuses too deep a query and too costly a query', async () => {
    const deep = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`;
    const tooDeep = await gql(app, deep);
    expect(errorCode(tooDeep)).toBe('BAD_USER_INPUT');
    expect(tooDeep.errors![0].message).toMatch(/^the query is 1[3-9] levels deep; at most 12 are allowed$/);

    const pages = Array.from(
      { length: 50 },
      (_, i) => `p${i}: breakerEvents(first: 500) { edges { node { id type occurredAt info breakerName } } }`,
    );
    const costly = await gql(app, `{ ${pages.join(' ')} }`);
    expect(errorCode(costly)).toBe('BAD_USER_INPUT');
    expect(costly.errors![0].message).toMatch(/^the query would resolve about \d+ fields; at most 50000 are allowed$/);
  });

  it('holds subscription documents to the same limits, and still serves one within them', async () => {
    const aliases = Array.from({ length: 150 }, (_, i) => `a${i}: breakerName`).join(' ');
    const refused = await subscribe(app.url, `subscription { breakerStateChanged { ${aliases} } }`);
    await eventually(async () => (refused.errors.length > 0 ? true : undefined));
    const [errors] = refused.errors as { message: string }[][];
    expect(errors.map((e) => e.message)).toEqual(['the query uses 150 aliases; at most 100 are allowed']);
    await refused.stop();

    const fine = await subscribe(
      app.url,
      `subscription { breakerStateChanged(breakerName: "target") { a: to b: from } }`,
    );
    await gqlOk(app, `mutation { forceOpenBreaker(name: "target", reason: "limits") { state } }`);
    expect(await fine.waitFor(1)).toEqual([{ a: 'FORCED_OPEN', b: 'CLOSED' }]);
    expect(fine.errors).toEqual([]);
    await fine.stop();
    await gqlOk(app, `mutation { resetBreaker(name: "target", reason: "limits") { state } }`);
  });

  it('never sends a stack trace in production', async () => {
    const results = [
      await gql(app, `{ breaker(name: "bad name") { name } }`),
      await gql(app, `{ nope }`),
      await gql(app, `mutation { resetBreaker(name: "missing") { name } }`),
    ];
    for (const result of results) {
      expect(result.errors!.length).toBeGreaterThan(0);
      expect(JSON.stringify(result)).not.toMatch(/stacktrace|\bat [A-Za-z.]+ \(/);
    }
  });

  /** A user's mistake may be refused in many ways, but never as a fault of ours. */
  function expectNoFault(result: GraphqlResponse<unknown>): void {
    expect(result.status).toBeLessThan(500);
    for (const error of result.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  }

  const anything = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, -1e308, 2 ** 31, 2 ** 53),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxKeys: 4 }),
  );

  it('fuzz: random variables for every operation never yield a fault', async () => {
    const operations = [
      `mutation($v: RegisterBreakerInput!) { registerBreaker(input: $v) { name } }`,
      `mutation($v: OutcomeInput!) { recordOutcome(input: $v) { name } }`,
      `mutation($v: [OutcomeInput!]!) { recordOutcomes(outcomes: $v) { accepted } }`,
      `mutation($v: String!) { acquirePermission(breakerName: $v) { permitted } }`,
      `mutation($v: BreakerConfigInput!) { updateBreakerConfig(name: "target", config: $v) { name } }`,
      `mutation($v: String) { resetBreaker(name: "target", reason: $v) { name } }`,
      `query($v: String) { breakerEvents(after: $v) { pageInfo { hasNextPage } } }`,
      `query($v: Int) { breakerEvents(first: $v) { pageInfo { hasNextPage } } }`,
      `query($v: [RecoveryEventType!]) { breakerEvents(types: $v) { pageInfo { hasNextPage } } }`,
      `query($v: String!) { breaker(name: $v) { name } }`,
      `query($v: BreakerState) { breakers(state: $v) { name } }`,
      `query($v: DateTime) { healthHistory(breakerName: "target", since: $v) { status } }`,
      `mutation($v: String!) { createApiKey(name: $v, role: VIEWER) { info { id } } }`,
      `mutation($v: ID!) { revokeApiKey(id: $v) { id } }`,
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), anything, fc.option(anything), async (query, v, nested) => {
        const value = nested === null ? v : { breakerName: v, success: nested, name: v, config: nested };
        expectNoFault(await gql(app, query, { v: value }));
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: random documents and bodies never yield a fault', async () => {
    const shapes = fc.oneof(
      fc.string({ maxLength: 200 }).map((query) => JSON.stringify({ query })),
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 100 }),
      fc.constantFrom('{"query": 5}', '{"query": null}', '{"variables": "x"}', '[]', '{}', '"text"'),
    );
    await fc.assert(
      fc.asyncProperty(shapes, async (body) => {
        const response = await post(body);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the rate limit (e2e)', () => {
  it('holds each key to RATE_LIMIT_PER_MINUTE, telling it when to retry, without touching other keys', async () => {
    const db = await createTestDatabase();
    const app = await startTestApp(db, { env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const { createApiKey } = await gqlOk(app, `mutation { createApiKey(name: "other", role: VIEWER) { key } }`);
      for (let i = 0; i < 4; i++) expect(errorCode(await gql(app, `{ breakers { name } }`))).toBeUndefined();
      const limited = await gql(app, `{ breakers { name } }`);
      expect(limited.status).toBe(429);
      expect(errorCode(limited)).toBe('SERVICE_UNAVAILABLE');
      expect(limited.errors![0].message).toMatch(/rate limit exceeded for the key "bootstrap-admin"; retry in \d+ ms/);
      expect(limited.errors![0].extensions).toMatchObject({ retryAfterMs: expect.any(Number) });
      expect(errorCode(await gql(app, `{ breakers { name } }`, undefined, createApiKey.key))).toBeUndefined();
    } finally {
      await app.close();
      await db.drop();
    }
  });
});

/** A document of `levels` fragments, each spreading the one below it twice: 2^levels fields, in under 2 KB. */
function doublingFragments(levels: number): string {
  const fragments = [`fragment F0 on Breaker { name }`];
  for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on Breaker { ...F${i - 1} ...F${i - 1} }`);
  return `{ breakers { ...F${levels} } } ${fragments.join(' ')}`;
}

/** The figure a cost refusal gives, or undefined when the answer is not one. */
function refusedCost(result: GraphqlResponse<unknown>): number | undefined {
  const match = /^the query would resolve about (\d+) fields; at most \d+ are allowed$/.exec(
    result.errors?.[0]?.message ?? '',
  );
  return match && errorCode(result) === 'BAD_USER_INPUT' ? Number(match[1]) : undefined;
}

describe('query limits on GraphQL documents (e2e)', () => {
  let app: RunningApp;
  const fixture = useTestApp({ env: { NODE_ENV: 'production' } });
  /** Breakers in this block's database: enough for 30 full lists to pass the default cost limit many times over. */
  const BREAKERS = 400;

  beforeAll(async () => {
    app = fixture.app;
    for (let start = 0; start < BREAKERS; start += 100) {
      const aliases = Array.from(
        { length: 100 },
        (_, i) => `r${i}: registerBreaker(input: { name: "many-${start + i}" }) { name }`,
      );
      await gqlOk(app, `mutation { ${aliases.join(' ')} }`);
    }
  });

  it('refuses fragments that spread each other twice, 30 levels deep, by their real cost', async () => {
    const document = doublingFragments(30);
    expect(document.length).toBeLessThan(2000);
    const result = await gql(app, document);
    expect(result.status).toBe(400);
    expect(result.data).toBeNull();
    // 2^30 names per breaker, counted once per fragment rather than by walking each spread.
    expect(refusedCost(result)).toBeGreaterThanOrEqual(2 ** 30);
  });

  it('accepts the same fragments a few levels deep, costed as what they resolve', async () => {
    const result = await gql(app, doublingFragments(3));
    expect(result.errors).toBeUndefined();
    expect((result.data as any).breakers).toHaveLength(BREAKERS);
  });

  it('costs the unpaged breakers list by the number of breakers, and refuses 30 copies before they run', async () => {
    const fields = 'name state consecutiveFailures config { failureThreshold openTimeoutMs }';
    const aliases = Array.from({ length: 30 }, (_, i) => `b${i}: breakers { ${fields} }`).join(' ');
    const result = await gql(app, `{ ${aliases} }`);
    expect(result.data).toBeNull();
    // 30 lists of 400 breakers, each with 6 fields.
    expect(refusedCost(result)).toBeGreaterThanOrEqual(30 * BREAKERS * 6);

    const metrics = Array.from(
      { length: 30 },
      (_, i) => `m${i}: recoveryMetrics { breakerName totalCalls totalFailures recoveryAttempts failedRecoveries }`,
    );
    expect(refusedCost(await gql(app, `{ ${metrics.join(' ')} }`))).toBeGreaterThanOrEqual(30 * BREAKERS * 5);

    // One list is well within the limit, and answers.
    expect((await gqlOk(app, `{ breakers { ${fields} } }`)).breakers).toHaveLength(BREAKERS);
  });

  it('costs a page size given in a variable, or left to its default, as that page size', async () => {
    const pages = (first: string) =>
      Array.from(
        { length: 50 },
        (_, i) => `p${i}: breakerEvents${first} { edges { node { id type occurredAt info breakerName } } }`,
      ).join(' ');
    const literal = refusedCost(await gql(app, `{ ${pages('(first: 500)')} }`));
    expect(literal).toBeGreaterThan(50 * 500 * 6);
    const variable = refusedCost(await gql(app, `query($n: Int) { ${pages('(first: $n)')} }`, { n: 500 }));
    expect(variable).toBe(literal);
    // Left out, `first` is 50: 50 pages of 50 events fit the limit.
    const byDefault = await gql(app, `query($n: Int) { ${pages('(first: $n)')} }`);
    expect(byDefault.errors).toBeUndefined();
    const defaulted = await gql(app, `query($n: Int = 500) { ${pages('(first: $n)')} }`);
    expect(refusedCost(defaulted)).toBe(literal);
  });

  it('refuses a document with too many directives, naming the limit', async () => {
    const repeated = Array.from({ length: 4000 }, () => '__typename @include(if: true)').join(' ');
    const result = await gql(app, `{ ${repeated} }`);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toBe('the query uses 4000 directives; at most 50 are allowed');
    const fine = await gql(app, `query($a: Boolean!) { breakers { name @include(if: $a) state @skip(if: $a) } }`, {
      a: true,
    });
    expect(fine.errors).toBeUndefined();
  });

  it('gives no "Did you mean" suggestions in production', async () => {
    const result = await gql(app, `{ breakerz { name } breakers { nam } }`);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors!.map((e) => e.message)).toEqual([
      'Cannot query field "breakerz" on type "Query".',
      'Cannot query field "nam" on type "Breaker".',
    ]);
    // Nor in the errors of variables, which are coerced after validation.
    const variable = await gql(app, `query($v: BreakerState) { breakers(state: $v) { name } }`, { v: 'OPE' });
    expect(errorCode(variable)).toBe('BAD_USER_INPUT');
    expect(variable.errors![0].message).toBe(
      'Variable "$v" got invalid value "OPE"; Value "OPE" does not exist in "BreakerState" enum.',
    );
  });

  it('refuses introspection in production', async () => {
    const result = await gql(app, `{ __schema { queryType { name } } }`);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.data).toBeNull();
    expect(result.errors![0].message).toBe(
      'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
    );
  });
});

/** Opens a WebSocket upgrade by hand on a raw TCP socket, so a test can send a frame header alone. */
async function rawUpgrade(httpUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(httpUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    [
      'GET /graphql HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: graphql-transport-ws',
      '',
      '',
    ].join('\r\n'),
  );
  const head = await new Promise<string>((resolve) =>
    socket.once('data', (chunk) => resolve(chunk.toString('latin1'))),
  );
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  return socket;
}

/** The close code in the first close frame the server sends on a raw socket, or null if it ends without one. */
function serverCloseCode(socket: Socket): Promise<number | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      // An unmasked server frame: opcode 0x8 is close, its payload starts with the 2-byte code.
      if (received.length >= 4 && (received[0] & 0x0f) === 0x8) resolve(received.readUInt16BE(2));
    });
    socket.once('close', () => resolve(null));
  });
}

describe('graphql-ws frames and handshakes (e2e)', () => {
  let app: RunningApp;
  const fixture = useTestApp({
    env: { NODE_ENV: 'production', WS_MAX_PAYLOAD_BYTES: '65536', WS_CONNECTION_INIT_TIMEOUT_MS: '300' },
  });

  beforeAll(() => {
    app = fixture.app;
  });

  const wsUrl = () => app.url.replace(/^http/, 'ws') + '/graphql';

  it('closes with 1009 a socket whose frame header claims more than WS_MAX_PAYLOAD_BYTES, before any payload', async () => {
    const socket = await rawUpgrade(app.url);
    try {
      const closed = serverCloseCode(socket);
      // FIN + text frame, masked, 64-bit length of 95 MB, then the mask key: no payload byte follows.
      const header = Buffer.alloc(14);
      header[0] = 0x81;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(95_000_000n, 2);
      socket.write(header);
      expect(await closed).toBe(1009);
    } finally {
      socket.destroy();
    }
  });

  it('closes with 1009 a socket that sends a message over the limit, and serves one under it', async () => {
    const tooBig = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((resolve) => tooBig.once('open', resolve));
    const code = new Promise<number>((resolve) => tooBig.once('close', (c) => resolve(c)));
    tooBig.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(70_000) } }));
    expect(await code).toBe(1009);

    const fine = await subscribe(app.url, `subscription { breakerStateChanged { to } }`, undefined, {
      connectionParams: { authorization: `Bearer ${TEST_ADMIN_KEY}`, pad: 'x'.repeat(60_000) },
    });
    expect(fine.errors).toEqual([]);
    await fine.stop();
  });

  it('closes with 4408 a socket that never sends connection_init, after WS_CONNECTION_INIT_TIMEOUT_MS', async () => {
    const idle = new WebSocket(wsUrl(), 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      idle.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    // The bound is the test's patience, several times the configured 300 ms; graphql-ws's own default is 3 s.
    const patience = new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 2000).unref());
    expect(await Promise.race([closed, patience])).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  });

  /** Runs one operation over graphql-ws and answers what came back. */
  async function overWs(query: string, variables?: Record<string, unknown>) {
    const collector = await subscribe(app.url, query, variables);
    await eventually(async () => (collector.errors.length + collector.received.length > 0 ? true : undefined));
    await collector.stop();
    return collector;
  }

  it('refuses introspection over graphql-ws in production, as over HTTP', async () => {
    const result = await overWs(`{ __schema { queryType { name } } }`);
    expect(result.received).toEqual([]);
    const [errors] = result.errors as { message: string; extensions?: { code?: string } }[][];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/^GraphQL introspection has been disabled/);
    }
  });

  it('gives graphql-ws validation errors a code, and no suggestions in production', async () => {
    const result = await overWs(`subscription { breakerStateChanged { tooo } }`);
    const [errors] = result.errors as { message: string; extensions?: { code?: string } }[][];
    expect(errors.map((e) => ({ message: e.message, code: e.extensions?.code }))).toEqual([
      { message: 'Cannot query field "tooo" on type "BreakerTransition".', code: 'BAD_USER_INPUT' },
    ]);
    const variable = await overWs(`subscription($n: String) { breakerStateChanged(breakerName: $n) { to } }`, {
      n: 5,
    });
    // Sent as the operation's error, not as a result that carries errors.
    expect(variable.received).toEqual([]);
    const [variableErrors] = variable.errors as { message: string; extensions?: { code?: string } }[][];
    expect(Array.isArray(variableErrors)).toBe(true);
    expect(variableErrors.map((e) => ({ message: e.message, code: e.extensions?.code }))).toEqual([
      {
        message: 'Variable "$n" got invalid value 5; String cannot represent a non string value: 5',
        code: 'BAD_USER_INPUT',
      },
    ]);
  });

  it('costs variables over graphql-ws too', async () => {
    const pages = Array.from(
      { length: 50 },
      (_, i) => `p${i}: breakerEvents(first: $n) { edges { node { id type occurredAt info breakerName } } }`,
    ).join(' ');
    const result = await overWs(`query($n: Int) { ${pages} }`, { n: 500 });
    expect(result.received).toEqual([]);
    const [errors] = result.errors as { message: string; extensions?: { code?: string } }[][];
    expect(errors[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0].message).toMatch(/^the query would resolve about \d+ fields; at most 50000 are allowed$/);
  });
});
