import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { EventPartitions } from '../src/maintenance/event-partitions';
import { RetentionJob } from '../src/maintenance/retention.job';
import { RetentionStore } from '../src/maintenance/retention.store';
import { gqlOk, useTestApp } from './support/test-app';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2031, 2, 1, 12, 0, 0);

/** Retention runs on its own schedule, apart from the recompute, and deletes in bounded batches. */
describe('retention (e2e)', () => {
  let now = T0;
  const clock: Clock = { now: () => now };
  const fixture = useTestApp({
    clock,
    env: {
      RETENTION_BATCH_ROWS: '100',
      RETENTION_INTERVAL_MS: String(DAY_MS), // each pass here is the test's
      HEALTH_RECOMPUTE_INTERVAL_MS: String(DAY_MS),
      EVENT_RETENTION_DAYS: '30',
      SNAPSHOT_RETENTION_DAYS: '10',
    },
  });
  const sql = (query: string, params: unknown[] = []) => fixture.app.app.get(DataSource).query(query, params);
  const count = async (table: string) => (await sql(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  beforeAll(async () => {
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "kept" }) { name } }`);
    // The seeded history's months: the app itself only ever writes events of now.
    await fixture.app.app
      .get(EventPartitions)
      .ensureRange(fixture.app.app.get(DataSource).manager, T0 - 60 * DAY_MS, T0);
    const [{ id }] = await sql(`SELECT id FROM breakers WHERE name = 'kept'`);
    // 350 events 40 days old and 20 of 5 days; 250 snapshots 20 days old and 5 of a day.
    const seed = async (table: string, columns: string, values: string, rows: number, ageDays: number) =>
      sql(`INSERT INTO ${table} (${columns}) SELECT ${values} FROM generate_series(1, $2) AS g(n)`, [
        id,
        rows,
        new Date(T0 - ageDays * DAY_MS),
      ]);
    const event = `$1, 'CONFIG_CHANGED', '{}'::jsonb, $3::timestamptz + g.n * interval '1 ms'`;
    await seed('recovery_events', 'breaker_id, type, info, occurred_at', event, 350, 40);
    await seed('recovery_events', 'breaker_id, type, info, occurred_at', event, 20, 5);
    const snapshot = `$1, 'HEALTHY', 1, 0, $3::timestamptz + g.n * interval '1 ms'`;
    await seed(
      'health_snapshots',
      'breaker_id, status, recovery_rate, average_downtime_ms, computed_at',
      snapshot,
      250,
      20,
    );
    await seed(
      'health_snapshots',
      'breaker_id, status, recovery_rate, average_downtime_ms, computed_at',
      snapshot,
      5,
      1,
    );
    // 150 minutes 40 days old and 3 of a day, each with its counts and its histogram.
    const minute = `$1, $3::timestamptz + g.n * interval '1 minute'`;
    for (const [rows, ageDays] of [
      [150, 40],
      [3, 1],
    ]) {
      await seed('outcome_buckets', 'breaker_id, bucket_start, calls, failures', `${minute}, 10, 1`, rows, ageDays);
      await seed(
        'outcome_latency',
        'breaker_id, bucket_start, latency',
        `${minute}, '{"900": 10}'::jsonb`,
        rows,
        ageDays,
      );
    }
  });

  it('deletes what is past its retention, a batch of RETENTION_BATCH_ROWS at a time, and keeps the rest', async () => {
    expect(await count('recovery_events')).toBe(370);
    // One statement deletes one batch, however many rows have expired.
    const target = { name: 'events', table: 'recovery_events', column: 'occurred_at' };
    const store = fixture.app.app.get(RetentionStore);
    const manager = fixture.app.app.get(DataSource).manager;
    expect(await store.deleteBatch(manager, target, new Date(T0 - 30 * DAY_MS), 100)).toBe(100);
    expect(await count('recovery_events')).toBe(270);
    const counts = await fixture.app.app.get(RetentionJob).run();
    expect(counts).toMatchObject({ events: 250, snapshots: 250, buckets: 150, latency: 150 });
    expect(await count('recovery_events')).toBe(20);
    expect(await count('health_snapshots')).toBe(5);
    expect(await count('outcome_buckets')).toBe(3);
    expect(await count('outcome_latency')).toBe(3);
    // A second pass finds nothing.
    expect(await fixture.app.app.get(RetentionJob).run()).toMatchObject({
      events: 0,
      snapshots: 0,
      buckets: 0,
      latency: 0,
    });
  });

  it('is not part of the recompute: grading prunes nothing', async () => {
    now = T0 + 30 * DAY_MS; // the 20 events (5 days old at T0) are now 35 days old
    await gqlOk(fixture.app, `mutation { recomputeHealth { generatedAt } }`);
    expect(await count('recovery_events')).toBe(20);
    await fixture.app.app.get(RetentionJob).run();
    expect(await count('recovery_events')).toBe(0);
  });
});
