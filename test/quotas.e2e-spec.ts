import { errorCode, gql, gqlOk, TEST_ADMIN_KEY, useTestApp } from './support/test-app';

const REGISTER = `mutation($n: String!) { registerBreaker(input: { name: $n }) { name } }`;

/**
 * Every breaker costs: health snapshots, a metrics series, sweep and grading work. A reporter may
 * register only so many a minute, and nobody past MAX_BREAKERS.
 */
describe('registration quotas (e2e)', () => {
  const fixture = useTestApp({ env: { MAX_BREAKERS: '6', REGISTRATIONS_PER_KEY_PER_MINUTE: '3' } });
  let reporter: string;

  beforeAll(async () => {
    const { createApiKey } = await gqlOk(
      fixture.app,
      `mutation { createApiKey(name: "quota-reporter", role: REPORTER) { key } }`,
    );
    reporter = createApiKey.key;
  });

  it('limits a non-admin key to REGISTRATIONS_PER_KEY_PER_MINUTE, with 429 and Retry-After', async () => {
    for (const n of ['q.1', 'q.2', 'q.3']) await gqlOk(fixture.app, REGISTER, { n }, reporter);
    const response = await fetch(`${fixture.app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${reporter}` },
      body: JSON.stringify({ query: REGISTER, variables: { n: 'q.4' } }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(body.errors[0].extensions.retryAfterMs).toBeGreaterThan(0);
    expect(body.errors[0].message).toMatch(/registers at most 3 breakers a minute/);
    expect((await gqlOk(fixture.app, `{ breaker(name: "q.4") { name } }`)).breaker).toBeNull();
    // Making sure a breaker exists is free: only an attempt to create one counts.
    expect((await gqlOk(fixture.app, REGISTER, { n: 'q.1' }, reporter)).registerBreaker.name).toBe('q.1');
  });

  it('exempts admin keys from the per-key limit, and stops everyone at MAX_BREAKERS, exactly', async () => {
    // Three exist; ten admins racing for the last three places get exactly three.
    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) => gql(fixture.app, REGISTER, { n: `race.${i}` }, TEST_ADMIN_KEY)),
    );
    const codes = racing.map((r) => errorCode(r) ?? 'OK').sort();
    expect(codes).toEqual([...Array(3).fill('OK'), ...Array(7).fill('FORBIDDEN')].sort());
    const refused = racing.find((r) => r.errors)!;
    expect(refused.errors![0].message).toMatch(/maximum of 6 breakers \(MAX_BREAKERS\)/);
    expect((await gqlOk(fixture.app, `{ breakers { name } }`)).breakers).toHaveLength(6);

    // An existing name still comes back when the platform is full.
    expect((await gqlOk(fixture.app, REGISTER, { n: 'q.1' })).registerBreaker.name).toBe('q.1');
  });
});
