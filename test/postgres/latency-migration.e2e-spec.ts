import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { dataSourceOptions, NO_TIMEOUTS } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** The migration that moves the minutes' histograms into outcome_latency keeps every one of them, both ways. */
describe('the latency-apart migration (e2e, Postgres)', () => {
  let db: TestDatabase;
  const APART = MIGRATIONS.findIndex((m) => m.name === 'LatencyApart1795927500000');
  const open = (migrations: typeof MIGRATIONS) =>
    new DataSource({ ...dataSourceOptions(db.url!, 1, NO_TIMEOUTS), migrations }).initialize();
  const minuteRows = (ds: DataSource) =>
    ds.query(
      `SELECT b.name, extract(epoch FROM o.bucket_start)::float8 AS at, o.calls, o.failures, o.slow_calls, o.max_ms
       FROM outcome_buckets o JOIN breakers b ON b.id = o.breaker_id ORDER BY 1, 2`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('copies each non-empty histogram to its minute in outcome_latency, drops the column, and copies them back down', async () => {
    expect(APART).toBeGreaterThan(0);
    const before = await open(MIGRATIONS.slice(0, APART));
    await before.runMigrations();
    await before.query(
      `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms,
         half_open_max_calls, success_threshold, current_open_timeout_ms, state_changed_at)
       SELECT n, 'CLOSED', 5, 30000, 60000, 1, 1, 30000, now() FROM unnest(ARRAY['a', 'b']) AS n`,
    );
    // 300 minutes of a, every third without a timed call; 2 of b.
    await before.query(
      `INSERT INTO outcome_buckets (breaker_id, bucket_start, calls, failures, slow_calls, latency, max_ms)
       SELECT b.id, timestamptz '2026-11-01 00:00Z' + g * interval '1 minute', 10 + g, g % 3, g % 2,
              CASE WHEN g % 3 = 0 THEN '{}'::jsonb ELSE jsonb_build_object('900', g, '1000', 2 * g) END,
              CASE WHEN g % 3 = 0 THEN NULL ELSE 40 + g END
       FROM breakers b, generate_series(0, 299) AS g WHERE b.name = 'a'
       UNION ALL
       SELECT b.id, timestamptz '2026-11-01 00:00Z' + g * interval '1 minute', 1, 0, 0, '{"1": 1}', 0.001
       FROM breakers b, generate_series(0, 1) AS g WHERE b.name = 'b'`,
    );
    const counts = await minuteRows(before);
    const histograms = await before.query(
      `SELECT b.name, extract(epoch FROM o.bucket_start)::float8 AS at, o.latency
       FROM outcome_buckets o JOIN breakers b ON b.id = o.breaker_id WHERE o.latency <> '{}' ORDER BY 1, 2`,
    );
    expect(histograms).toHaveLength(202);
    await before.destroy();

    const after = await open(MIGRATIONS.slice(0, APART + 1));
    try {
      await after.runMigrations();
      const moved = await after.query(
        `SELECT b.name, extract(epoch FROM l.bucket_start)::float8 AS at, l.latency
         FROM outcome_latency l JOIN breakers b ON b.id = l.breaker_id ORDER BY 1, 2`,
      );
      expect(moved).toEqual(histograms);
      expect(await minuteRows(after)).toEqual(counts);
      const column = `SELECT column_name FROM information_schema.columns WHERE table_name = 'outcome_buckets' AND column_name = 'latency'`;
      expect(await after.query(column)).toEqual([]);

      await after.undoLastMigration();
      expect(await after.query(column)).toEqual([{ column_name: 'latency' }]);
      const back = await after.query(
        `SELECT b.name, extract(epoch FROM o.bucket_start)::float8 AS at, o.latency
         FROM outcome_buckets o JOIN breakers b ON b.id = o.breaker_id WHERE o.latency <> '{}' ORDER BY 1, 2`,
      );
      expect(back).toEqual(histograms);
      expect(await minuteRows(after)).toEqual(counts);
      expect(await after.query(`SELECT to_regclass('outcome_latency') AS t`)).toEqual([{ t: null }]);
    } finally {
      await after.destroy();
    }
  });
  it('keeps a histogram an older instance folds while the migration runs (rolling deploy)', async () => {
    const second = await createTestDatabase();
    const openOn = (migrations: typeof MIGRATIONS) =>
      new DataSource({ ...dataSourceOptions(second.url!, 1, NO_TIMEOUTS), migrations }).initialize();
    const before = await openOn(MIGRATIONS.slice(0, APART));
    const fold = new Client({ connectionString: second.url! });
    let after: DataSource | undefined;
    try {
      await before.runMigrations();
      await before.query(
        `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms,
           half_open_max_calls, success_threshold, current_open_timeout_ms, state_changed_at)
         VALUES ('a', 'CLOSED', 5, 30000, 60000, 1, 1, 30000, now())`,
      );
      await before.query(
        `INSERT INTO outcome_buckets (breaker_id, bucket_start, calls, failures, slow_calls, latency, max_ms)
         SELECT id, timestamptz '2026-11-01 00:00Z', 2, 0, 0, '{"900": 1}', 40 FROM breakers`,
      );
      await before.destroy();

      // An instance of the version before folds a part into the minute: its transaction has merged
      // the histogram, not yet committed, when the migration starts.
      await fold.connect();
      await fold.query('BEGIN');
      await fold.query(`UPDATE outcome_buckets SET latency = '{"900": 2}'`);
      after = await openOn(MIGRATIONS.slice(0, APART + 1));
      const migrated = after.runMigrations();
      try {
        await waitForLockWait(second.url!);
      } finally {
        await fold.query('COMMIT');
        await migrated;
      }

      expect(await after.query(`SELECT latency FROM outcome_latency`)).toEqual([{ latency: { '900': 2 } }]);
    } finally {
      await fold.end();
      await after?.destroy();
      await second.drop();
    }
  });
});

/** Resolves once some session of the database waits for a lock (the migration, behind the fold). */
async function waitForLockWait(url: string): Promise<void> {
  const probe = new Client({ connectionString: url });
  await probe.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const [{ waiting }] = (
        await probe.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows;
      if (waiting > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the migration never waited for the fold');
  } finally {
    await probe.end();
  }
}
