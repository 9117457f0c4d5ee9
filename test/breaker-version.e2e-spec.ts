import { DataSource } from 'typeorm';
import { eventually, gqlOk, useTestApp } from './support/test-app';

/**
 * `breakers.version` is bumped by every write. At 1,000 commits a second on one hot breaker an
 * `integer` overflows within a month, and from then on every write to that breaker would fail.
 */
describe('a breaker version past 2^31 (e2e)', () => {
  const fixture = useTestApp();

  it('keeps taking outcomes, admin actions and the half-open sweep', async () => {
    await gqlOk(
      fixture.app,
      `mutation { registerBreaker(input: { name: "hot", config: { failureThreshold: 1, openTimeoutMs: 100 } }) { name } }`,
    );
    const dataSource = fixture.app.app.get(DataSource);
    await dataSource.query(`UPDATE breakers SET version = 2147483647 WHERE name = 'hot'`);

    const recorded = await gqlOk(
      fixture.app,
      `mutation { recordOutcome(input: { breakerName: "hot", success: false }) { state metrics { totalCalls } } }`,
    );
    expect(recorded.recordOutcome).toEqual({ state: 'OPEN', metrics: { totalCalls: 1 } });
    await eventually(async () => {
      const { breaker } = await gqlOk(fixture.app, `{ breaker(name: "hot") { state } }`);
      return breaker.state === 'HALF_OPEN' ? true : undefined;
    });
    const reset = await gqlOk(fixture.app, `mutation { resetBreaker(name: "hot", reason: "test") { state } }`);
    expect(reset.resetBreaker.state).toBe('CLOSED');

    const [row] = await dataSource.query(`SELECT version::text AS version FROM breakers WHERE name = 'hot'`);
    expect(row.version).toBe('2147483650');
  });
});
