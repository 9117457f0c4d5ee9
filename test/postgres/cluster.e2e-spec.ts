import { MIGRATIONS } from '../../migrations';
import { RunningApp } from '../../src/bootstrap';
import { eventually, gqlOk, startTestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, withClient } from '../support/test-database';

/**
 * Several instances on one Postgres. This folder runs only with DATABASE_URL (see jest.config.js):
 * the embedded database belongs to one process.
 */
describe('several instances on one Postgres (e2e)', () => {
  let db: TestDatabase;
  let apps: RunningApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    // Started together: the migrations advisory lock lets exactly one of them migrate.
    apps = await Promise.all([startTestApp(db), startTestApp(db), startTestApp(db)]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await db?.drop();
  });

  it('migrates once when instances start together', async () => {
    const rows = await withClient(db.url!, (c) => c.query('SELECT name FROM migrations ORDER BY id'));
    expect(rows.rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('gives exact counts with reporters spread over every instance', async () => {
    const [a] = apps;
    await gqlOk(
      a,
      `mutation { registerBreaker(input: { name: "shared", config: { failureThreshold: 10000 } }) { name } }`,
    );
    const batch = Array.from({ length: 50 }, (_, i) => `{ breakerName: "shared", success: ${i % 5 !== 0} }`).join(',');
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        gqlOk(apps[i % apps.length], `mutation { recordOutcomes(outcomes: [${batch}]) { accepted } }`),
      ),
    );
    const { breaker } = await gqlOk(apps[1], `{ breaker(name: "shared") { metrics { totalCalls totalFailures } } }`);
    expect(breaker.metrics).toEqual({ totalCalls: 1200, totalFailures: 240 });
  });

  it('half-opens a due breaker exactly once across the cluster', async () => {
    const [a] = apps;
    for (let round = 0; round < 5; round++) {
      const name = `due-${round}`;
      await gqlOk(
        a,
        `mutation { registerBreaker(input: { name: "${name}", config: { failureThreshold: 1, openTimeoutMs: 100 } }) { name } }`,
      );
      await gqlOk(a, `mutation { recordOutcome(input: { breakerName: "${name}", success: false }) { state } }`);
      await eventually(async () => {
        const { breaker } = await gqlOk(apps[2], `{ breaker(name: "${name}") { state } }`);
        return breaker.state === 'HALF_OPEN' ? true : undefined;
      });
      // Give every instance's sweep a few more chances to act twice.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const { breakerEvents, breaker } = await gqlOk(
        apps[1],
        `{ breaker(name: "${name}") { metrics { recoveryAttempts } }
           breakerEvents(breakerName: "${name}", order: ASC) { edges { node { type } } } }`,
      );
      expect(breakerEvents.edges.map((e: any) => e.node.type)).toEqual([
        'CIRCUIT_OPENED',
        'CIRCUIT_HALF_OPENED',
        'RECOVERY_ATTEMPTED',
      ]);
      expect(breaker.metrics.recoveryAttempts).toBe(1);
    }
  });
});
