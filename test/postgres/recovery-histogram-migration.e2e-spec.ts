import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { dataSourceOptions, NO_TIMEOUTS } from '../../src/database/data-source-options';
import { Histogram, record, toJson } from '../../src/stats/latency-histogram';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** The migration that keeps recovery times as histograms fills them from a history that holds data, and rolls back. */
describe('the recovery-histogram migration (e2e, Postgres)', () => {
  let db: TestDatabase;
  const HISTOGRAM = MIGRATIONS.findIndex((m) => m.name === 'RecoveryHistogram1795927200000');
  const open = (migrations: typeof MIGRATIONS) =>
    new DataSource({ ...dataSourceOptions(db.url!, 1, NO_TIMEOUTS), migrations }).initialize();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('builds each breaker\'s histogram from its recorded recoveries, across pages, and drops it on the way down', async () => {
    const before = await open(MIGRATIONS.slice(0, HISTOGRAM));
    await before.runMigrations();
    await before.query(
      `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms,
         half_open_max_calls, success_threshold, current_open_timeout_ms, state_changed_at)
       SELECT n, 'CLOSED', 5, 30000, 60000, 1, 1, 30000, now() FROM unnest(ARRAY['a', 'b', 'none']) AS n`,
    );
    await before.query(`INSERT INTO recovery_metrics (breaker_id) SELECT id FROM breakers`);
    const [{ a, b }] = await before.query(
      `SELECT (SELECT id FROM breakers WHERE name = 'a') AS a, (SELECT id FROM breakers WHERE name = 'b') AS b`,
    );
    // 10,050 recoveries of a (more than a page of the migration's reads), 3 of b, other events besides.
    await before.query(
      `INSERT INTO recovery_events (breaker_id, type, info, occurred_at)
       SELECT $1, 'RECOVERY_SUCCEEDED', jsonb_build_object('recoveryTimeMs', 100 + (g.n % 977) * 13.5), now()
       FROM generate_series(1, 10050) AS g(n)`,
      [a],
    );
    await before.query(
      `INSERT INTO recovery_events (breaker_id, type, info, occurred_at)
       VALUES ($1, 'RECOVERY_SUCCEEDED', '{"recoveryTimeMs": 2500}', now()),
              ($1, 'RECOVERY_SUCCEEDED', '{"recoveryTimeMs": 0.131}', now()),
              ($1, 'RECOVERY_SUCCEEDED', '{"recoveryTimeMs": 60000}', now()),
              ($1, 'RECOVERY_FAILED', '{"recoveryTimeMs": 999999}', now()),
              ($1, 'CIRCUIT_OPENED', '{}', now())`,
      [b],
    );
    await before.destroy();

    const after = await open(MIGRATIONS.slice(0, HISTOGRAM + 1));
    try {
      await after.runMigrations();
      const expected = (values: number[]) => {
        const h: Histogram = new Map();
        for (const v of values) record(h, v);
        return toJson(h);
      };
      const rows = await after.query(
        `SELECT b.name, m.recovery_histogram FROM recovery_metrics m JOIN breakers b ON b.id = m.breaker_id ORDER BY b.name`,
      );
      expect(rows).toEqual([
        { name: 'a', recovery_histogram: expected(Array.from({ length: 10050 }, (_, i) => 100 + ((i + 1) % 977) * 13.5)) },
        { name: 'b', recovery_histogram: expected([2500, 0.131, 60000]) },
        { name: 'none', recovery_histogram: {} },
      ]);

      await after.undoLastMigration();
      const columns = await after.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'recovery_metrics' AND column_name = 'recovery_histogram'`,
      );
      expect(columns).toEqual([]);
      expect((await after.query(`SELECT count(*)::int AS n FROM recovery_events`))[0].n).toBe(10055);
    } finally {
      await after.destroy();
    }
  });
});
