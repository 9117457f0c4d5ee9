import { errorCode, eventually, gql, gqlOk, useTestApp } from './support/test-app';
import { subscribe } from './support/ws-client';

/**
 * Teams that share one platform each get keys scoped to a breaker-name prefix: such a key reads,
 * reports to and acts on only the breakers under it, over HTTP and graphql-ws alike. A name
 * outside the scope is FORBIDDEN whether it exists or not, and lists leave the others out.
 */
describe('scoped API keys (e2e)', () => {
  const fixture = useTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  let reporter: string;
  let admin: string;
  const as = (key: string) => ({
    ok: <T = any>(query: string, variables?: Record<string, unknown>) => gqlOk<T>(fixture.app, query, variables, key),
    code: async (query: string, variables?: Record<string, unknown>) =>
      errorCode(await gql(fixture.app, query, variables, key)),
  });

  beforeAll(async () => {
    const create = async (name: string, role: string) =>
      (
        await gqlOk(
          fixture.app,
          `mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r, scope: "checkout.") { key info { scope } } }`,
          { n: name, r: role },
        )
      ).createApiKey;
    const r = await create('checkout-reporter', 'REPORTER');
    expect(r.info.scope).toBe('checkout.');
    reporter = r.key;
    admin = (await create('checkout-admin', 'ADMIN')).key;
    // Breakers of two teams, registered by the unscoped admin key.
    for (const name of ['checkout.payments', 'checkout.cart', 'billing.invoices']) {
      await gqlOk(
        fixture.app,
        `mutation($n: String!) { registerBreaker(input: { name: $n, config: { failureThreshold: 1 } }) { name } }`,
        { n: name },
      );
    }
  });

  it('reports to and registers breakers under its prefix only, refusing a whole batch that strays', async () => {
    const r = as(reporter);
    expect(
      (await r.ok(`mutation { registerBreaker(input: { name: "checkout.new" }) { name } }`)).registerBreaker.name,
    ).toBe('checkout.new');
    expect(await r.code(`mutation { registerBreaker(input: { name: "billing.new" }) { name } }`)).toBe('FORBIDDEN');
    expect(
      await r.code(
        `mutation { recordOutcomes(outcomes: [{ breakerName: "checkout.cart", success: true }, { breakerName: "billing.invoices", success: true }]) { accepted } }`,
      ),
    ).toBe('FORBIDDEN');
    expect(
      await r.code(`mutation { recordOutcome(input: { breakerName: "billing.invoices", success: false }) { state } }`),
    ).toBe('FORBIDDEN');
    expect(await r.code(`mutation { acquirePermission(breakerName: "billing.invoices") { permitted } }`)).toBe(
      'FORBIDDEN',
    );
    await r.ok(`mutation { recordOutcomes(outcomes: [{ breakerName: "checkout.cart", success: true }]) { accepted } }`);
    const { breaker } = await gqlOk(fixture.app, `{ breaker(name: "billing.invoices") { metrics { totalCalls } } }`);
    expect(breaker.metrics.totalCalls).toBe(0);
    expect((await gqlOk(fixture.app, `{ breaker(name: "billing.new") { name } }`)).breaker).toBeNull();
  });

  it('reads only its own breakers: lists, metrics, events, health and the report', async () => {
    // An event on each team's breaker.
    await gqlOk(fixture.app, `mutation { forceOpenBreaker(name: "billing.invoices", reason: "t") { state } }`);
    await gqlOk(fixture.app, `mutation { forceOpenBreaker(name: "checkout.payments", reason: "t") { state } }`);
    await gqlOk(fixture.app, `mutation { recomputeHealth { generatedAt } }`);
    const r = as(reporter);
    const names = (list: { name?: string; breakerName?: string }[]) => list.map((x) => x.name ?? x.breakerName).sort();

    expect(names((await r.ok(`{ breakers { name } }`)).breakers)).toEqual([
      'checkout.cart',
      'checkout.new',
      'checkout.payments',
    ]);
    expect(names((await r.ok(`{ recoveryMetrics { breakerName } }`)).recoveryMetrics)).toEqual([
      'checkout.cart',
      'checkout.new',
      'checkout.payments',
    ]);
    const events = (await r.ok(`{ breakerEvents(first: 100) { edges { node { breakerName } } } }`)).breakerEvents.edges;
    expect(new Set(events.map((e: any) => e.node.breakerName))).toEqual(new Set(['checkout.payments']));
    const report = (
      await r.ok(`{ recoveryReport { overallSystemHealth services { name } recommendations { breakerName } } }`)
    ).recoveryReport;
    expect(names(report.services)).toEqual(['checkout.cart', 'checkout.new', 'checkout.payments']);
    expect(report.recommendations.every((x: any) => x.breakerName.startsWith('checkout.'))).toBe(true);

    for (const query of [
      `{ breaker(name: "billing.invoices") { name } }`,
      `{ breaker(name: "billing.does-not-exist") { name } }`,
      `{ recoveryMetrics(breakerName: "billing.invoices") { breakerName } }`,
      `{ breakerEvents(breakerName: "billing.invoices") { edges { cursor } } }`,
      `{ healthHistory(breakerName: "billing.invoices") { status } }`,
    ]) {
      expect({ query, code: await r.code(query) }).toEqual({ query, code: 'FORBIDDEN' });
    }
  });

  it('acts as an admin on its own breakers only, and manages no keys and no cluster-wide recompute', async () => {
    const a = as(admin);
    expect(
      (await a.ok(`mutation { resetBreaker(name: "checkout.payments", reason: "ok") { state } }`)).resetBreaker.state,
    ).toBe('CLOSED');
    for (const query of [
      `mutation { resetBreaker(name: "billing.invoices", reason: "no") { state } }`,
      `mutation { disableBreaker(name: "billing.invoices") { state } }`,
      `mutation { updateBreakerConfig(name: "billing.invoices", config: { failureThreshold: 9 }) { name } }`,
      `mutation { createApiKey(name: "wider", role: ADMIN) { key } }`,
      `mutation { revokeApiKey(id: "1") { id } }`,
      `{ apiKeys { id } }`,
      `mutation { recomputeHealth { generatedAt } }`,
    ]) {
      expect({ query, code: await a.code(query) }).toEqual({ query, code: 'FORBIDDEN' });
    }
  });

  it('hears only its own breakers over graphql-ws, and may not subscribe to another team’s', async () => {
    const params = { connectionParams: { authorization: `Bearer ${reporter}` } };
    const feed = await subscribe(
      fixture.app.url,
      `subscription { breakerStateChanged { breakerName to } }`,
      undefined,
      params,
    );
    const events = await subscribe(
      fixture.app.url,
      `subscription { recoveryEvents { breakerName type } }`,
      undefined,
      params,
    );
    await gqlOk(fixture.app, `mutation { resetBreaker(name: "billing.invoices", reason: "t") { state } }`);
    await gqlOk(fixture.app, `mutation { forceOpenBreaker(name: "checkout.cart", reason: "t") { state } }`);
    expect(await feed.waitFor(1)).toEqual([{ breakerName: 'checkout.cart', to: 'FORCED_OPEN' }]);
    expect((await events.waitFor(1)).map((e: any) => e.breakerName)).toEqual(['checkout.cart']);
    expect(feed.received).toHaveLength(1);
    expect(events.received).toHaveLength(1);
    await feed.stop();
    await events.stop();

    const other = await subscribe(
      fixture.app.url,
      `subscription { breakerStateChanged(breakerName: "billing.invoices") { to } }`,
      undefined,
      params,
    );
    await eventually(async () => (other.errors.length > 0 ? true : undefined));
    expect(JSON.stringify(other.errors)).toContain('FORBIDDEN');
    expect(other.received).toEqual([]);
    await other.stop();
  });

  it('refuses a malformed scope, naming the field', async () => {
    const result = await gql(
      fixture.app,
      `mutation { createApiKey(name: "bad", role: VIEWER, scope: "has space") { key } }`,
    );
    expect({ code: errorCode(result), field: result.errors?.[0].extensions?.field }).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'scope',
    });
  });
});
