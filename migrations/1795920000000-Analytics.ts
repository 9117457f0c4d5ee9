import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-minute outcome counts, health snapshots, each breaker's last grade, the current report, and the indexes they read by. */
export class Analytics1795920000000 implements MigrationInterface {
  name = 'Analytics1795920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outcome_buckets (
        breaker_id   integer NOT NULL REFERENCES breakers (id) ON DELETE CASCADE,
        bucket_start timestamptz NOT NULL,
        calls        integer NOT NULL,
        failures     integer NOT NULL,
        PRIMARY KEY (breaker_id, bucket_start)
      )`);
    await q.query(`CREATE INDEX outcome_buckets_start_idx ON outcome_buckets (bucket_start)`);

    await q.query(`
      CREATE TABLE health_snapshots (
        id                  bigserial PRIMARY KEY,
        breaker_id          integer NOT NULL REFERENCES breakers (id) ON DELETE CASCADE,
        status              text NOT NULL CHECK (status IN ('HEALTHY', 'DEGRADED', 'UNHEALTHY', 'CRITICAL')),
        recovery_rate       double precision NOT NULL,
        average_downtime_ms double precision NOT NULL,
        computed_at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX health_snapshots_breaker_idx ON health_snapshots (breaker_id, computed_at)`);
    await q.query(`CREATE INDEX health_snapshots_computed_idx ON health_snapshots (computed_at)`);

    // The grade each breaker had at the last run, to tell which changed.
    await q.query(`
      CREATE TABLE breaker_health (
        breaker_id integer PRIMARY KEY REFERENCES breakers (id) ON DELETE CASCADE,
        status     text NOT NULL,
        changed_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE recovery_reports (
        id           smallint PRIMARY KEY CHECK (id = 1),
        generated_at timestamptz NOT NULL,
        report       jsonb NOT NULL
      )`);

    // The windowed rules, pruning and the listener's catch-up read events by time.
    await q.query(`CREATE INDEX recovery_events_occurred_idx ON recovery_events (occurred_at)`);
    await q.query(
      `CREATE INDEX recovery_events_recoveries_idx ON recovery_events (breaker_id) WHERE type = 'RECOVERY_SUCCEEDED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX recovery_events_recoveries_idx`);
    await q.query(`DROP INDEX recovery_events_occurred_idx`);
    await q.query(`DROP TABLE recovery_reports`);
    await q.query(`DROP TABLE breaker_health`);
    await q.query(`DROP TABLE health_snapshots`);
    await q.query(`DROP TABLE outcome_buckets`);
  }
}
