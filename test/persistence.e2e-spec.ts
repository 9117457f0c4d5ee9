import { MIGRATIONS } from '../migrations';
import { DataSource } from 'typeorm';
import { RunningApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/app-config';
import { DatabaseConnection, openDatabase } from '../src/database/database-connection';
import { dataSourceOptions } from '../src/database/data-source-options';
import { revertLastMigration, runPendingMigrations } from '../src/database/migrations-runner';
import { BREAKER_FIELDS, gqlOk, startTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('persistence (e2e)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps breakers, metrics and events across an app restart', async () => {
    let app: RunningApp = await startTestApp(db);
    let before: any;
    try {
      await gqlOk(
        app,
        `mutation { registerBreaker(input: { name: "ledger", config: { failureThreshold: 2, openTimeoutMs: 60000 } }) { name } }`,
      );
      await gqlOk(
        app,
        `mutation { recordOutcomes(outcomes: [
        { breakerName: "ledger", success: true }, { breakerName: "ledger", success: false },
        { breakerName: "ledger", success: false }]) { accepted } }`,
      );
      await gqlOk(app, `mutation { updateBreakerConfig(name: "ledger", config: { successThreshold: 3 }) { name } }`);
      before = await gqlOk(
        app,
        `{ breaker(name: "ledger") { ${BREAKER_FIELDS} } breakerEvents(breakerName: "ledger") { edges { node { id type } } } }`,
      );
    } finally {
      await app.close();
    }
    expect(before.breaker.state).toBe('OPEN');

    app = await startTestApp(db);
    try {
      const after = await gqlOk(
        app,
        `{ breaker(name: "ledger") { ${BREAKER_FIELDS} } breakerEvents(breakerName: "ledger") { edges { node { id type } } } }`,
      );
      const { circuitOpenDurationMs: openBefore, ...metricsBefore } = before.breaker.metrics;
      const { circuitOpenDurationMs: openAfter, ...metricsAfter } = after.breaker.metrics;
      expect({ ...after.breaker, metrics: metricsAfter }).toEqual({ ...before.breaker, metrics: metricsBefore });
      expect(openAfter).toBeGreaterThanOrEqual(openBefore);
      expect(after.breaker.config.successThreshold).toBe(3);
      expect(after.breaker.metrics).toMatchObject({ totalCalls: 3, totalFailures: 2 });
      expect(after.breakerEvents.edges.map((e: any) => e.node.type)).toEqual(['CONFIG_CHANGED', 'CIRCUIT_OPENED']);
      expect(after.breakerEvents).toEqual(before.breakerEvents);
    } finally {
      await app.close();
    }
  });

  it('runs and reverts migrations with the code the CLI uses, and runs them once', async () => {
    const other = await createTestDatabase();
    let connection: DatabaseConnection | undefined;
    let dataSource: DataSource | undefined;
    try {
      connection = await openDatabase(loadConfig({ ...other.env }));
      dataSource = await new DataSource(dataSourceOptions(connection.url, 1)).initialize();
      const tables = async () =>
        (
          await dataSource!.query(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
          )
        ).map((r: { table_name: string }) => r.table_name);

      // Every migration, in the order the list gives, and each once.
      const names = MIGRATIONS.map((m) => m.name);
      expect((await runPendingMigrations(dataSource)).map((m) => m.name)).toEqual(names);
      expect(await runPendingMigrations(dataSource)).toEqual([]);
      const migrated = await tables();
      expect(migrated).toEqual(
        expect.arrayContaining([
          'api_keys',
          'breaker_health',
          'breakers',
          'health_snapshots',
          'outcome_buckets',
          'recovery_events',
          'recovery_metrics',
          'recovery_reports',
        ]),
      );

      // Every down undoes its up: reverting them all, newest first, leaves no table behind.
      for (let i = 0; i < names.length; i++) await revertLastMigration(dataSource);
      expect(await tables()).toEqual([]);

      expect((await runPendingMigrations(dataSource)).length).toBe(names.length);
      expect(await tables()).toEqual(migrated);
    } finally {
      await dataSource?.destroy();
      await connection?.close();
      await other.drop();
    }
  });
});
