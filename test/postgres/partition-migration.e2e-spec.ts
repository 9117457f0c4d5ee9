import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { dataSourceOptions, NO_TIMEOUTS } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** recovery_events becomes partitioned by month: a database that holds events converts, and rolls back. */
describe('the event-partitioning migration (e2e, Postgres)', () => {
  let db: TestDatabase;
  const PARTITIONING = MIGRATIONS.findIndex((m) => m.name === 'PartitionEvents1795927400000');
  const open = (migrations: typeof MIGRATIONS) =>
    new DataSource({ ...dataSourceOptions(db.url!, 1, NO_TIMEOUTS), migrations }).initialize();
  const events = (ds: DataSource) =>
    ds.query(`SELECT id::text AS id, breaker_id, type, occurred_at, info FROM recovery_events e ORDER BY e.id`);
  const constraints = async (ds: DataSource) =>
    (
      await ds.query(
        `SELECT conname FROM pg_constraint WHERE conrelid = 'recovery_events'::regclass ORDER BY conname`,
      )
    ).map((c: { conname: string }) => c.conname);
  const kind = async (ds: DataSource) =>
    (await ds.query(`SELECT relkind FROM pg_class WHERE relname = 'recovery_events'`))[0].relkind as string;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps every event, its id and so its cursor, across months, and rolls back', async () => {
    const before = await open(MIGRATIONS.slice(0, PARTITIONING));
    await before.runMigrations();
    await before.query(
      `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms,
         half_open_max_calls, success_threshold, current_open_timeout_ms, state_changed_at)
       VALUES ('p', 'CLOSED', 5, 30000, 60000, 1, 1, 30000, now())`,
    );
    await before.query(`INSERT INTO recovery_metrics (breaker_id) SELECT id FROM breakers`);
    // 3,000 events over the last 100 days: four or five months.
    await before.query(
      `INSERT INTO recovery_events (breaker_id, type, occurred_at, info)
       SELECT (SELECT id FROM breakers), 'CONFIG_CHANGED', now() - g * interval '48 minutes', jsonb_build_object('n', g)
       FROM generate_series(1, 3000) AS g`,
    );
    const original = await events(before);
    expect(original).toHaveLength(3000);
    expect(await kind(before)).toBe('r');
    await before.destroy();

    const after = await open(MIGRATIONS.slice(0, PARTITIONING + 1));
    try {
      await after.runMigrations();
      expect(await kind(after)).toBe('p');
      expect(await events(after)).toEqual(original);
      // The constraints keep their names (a later migration may name them); no foreign key on the
      // partitioned table (its DDL would lock breakers against the writers' order).
      expect(await constraints(after)).toEqual(['recovery_events_pkey', 'recovery_events_type_check']);
      const months = await after.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'recovery_events'::regclass ORDER BY c.relname`,
      );
      // From the oldest event's month to three months ahead.
      expect(months.length).toBeGreaterThanOrEqual(4 + 3);
      expect(months.every((m: { relname: string }) => /^recovery_events_p\d{4}_\d{2}$/.test(m.relname))).toBe(true);
      // The next id follows the old ones, so a cursor (which encodes an id) of before still points
      // between the same events.
      const [{ id }] = await after.query(
        `INSERT INTO recovery_events (breaker_id, type, occurred_at) SELECT id, 'CIRCUIT_RESET', now() FROM breakers RETURNING id::text`,
      );
      expect(BigInt(id)).toBeGreaterThan(BigInt(original[original.length - 1].id));
      const middle = original[1500].id;
      const newer = await after.query(`SELECT count(*)::int AS n FROM recovery_events WHERE id > $1`, [middle]);
      expect(newer[0].n).toBe(1500);
      // Events go with their breaker, as before.
      const plan = await after.query(`EXPLAIN SELECT id FROM recovery_events WHERE breaker_id = 1 ORDER BY id DESC LIMIT 50`);
      expect(JSON.stringify(plan)).toContain('breaker_id_id_idx');

      await after.undoLastMigration();
      expect(await kind(after)).toBe('r');
      expect(await constraints(after)).toEqual([
        'recovery_events_breaker_id_fkey',
        'recovery_events_pkey',
        'recovery_events_type_check',
      ]);
      const indexes = await after.query(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'recovery_events' ORDER BY indexname`,
      );
      expect(indexes.map((i: { indexname: string }) => i.indexname)).toEqual([
        'recovery_events_breaker_idx',
        'recovery_events_concluded_idx',
        'recovery_events_occurred_idx',
        'recovery_events_pkey',
        'recovery_events_recoveries_idx',
      ]);
      const back = await events(after);
      expect(back).toHaveLength(3001);
      expect(back.slice(0, 3000)).toEqual(original);
      const [{ id: next }] = await after.query(
        `INSERT INTO recovery_events (breaker_id, type, occurred_at) SELECT id, 'CIRCUIT_RESET', now() FROM breakers RETURNING id::text`,
      );
      expect(BigInt(next)).toBeGreaterThan(BigInt(id));
    } finally {
      await after.destroy();
    }
  });
});
