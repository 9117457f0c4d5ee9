import { MigrationInterface, QueryRunner } from 'typeorm';

/** Breakers, their append-only recovery events and their running recovery metrics. */
export class InitialSchema1795916400000 implements MigrationInterface {
  name = 'InitialSchema1795916400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE breakers (
        id                      serial PRIMARY KEY,
        name                    text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 200),
        state                   text NOT NULL
                                CHECK (state IN ('CLOSED', 'OPEN', 'HALF_OPEN', 'FORCED_OPEN', 'DISABLED')),
        failure_threshold       integer NOT NULL,
        open_timeout_ms         integer NOT NULL,
        max_open_timeout_ms     integer NOT NULL,
        half_open_max_calls     integer NOT NULL,
        success_threshold       integer NOT NULL,
        consecutive_failures    integer NOT NULL DEFAULT 0,
        half_open_successes     integer NOT NULL DEFAULT 0,
        permit_expiries         jsonb NOT NULL DEFAULT '[]',
        current_open_timeout_ms integer NOT NULL,
        open_until              timestamptz,
        outage_started_at       timestamptz,
        state_changed_at        timestamptz NOT NULL,
        last_event_at           timestamptz,
        version                 integer NOT NULL DEFAULT 0,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now()
      )`);
    // The half-open sweep asks only for OPEN breakers that are due.
    await q.query(`CREATE INDEX breakers_due_idx ON breakers (open_until) WHERE state = 'OPEN'`);

    await q.query(`
      CREATE TABLE recovery_metrics (
        breaker_id                    integer PRIMARY KEY REFERENCES breakers (id) ON DELETE CASCADE,
        total_calls                   bigint NOT NULL DEFAULT 0,
        total_failures                bigint NOT NULL DEFAULT 0,
        recovery_attempts             integer NOT NULL DEFAULT 0,
        successful_recoveries         integer NOT NULL DEFAULT 0,
        failed_recoveries             integer NOT NULL DEFAULT 0,
        consecutive_failed_recoveries integer NOT NULL DEFAULT 0,
        total_recovery_time_ms        double precision NOT NULL DEFAULT 0,
        closed_episodes_open_ms       double precision NOT NULL DEFAULT 0,
        away_since                    timestamptz,
        last_failure_at               timestamptz,
        last_recovery_at              timestamptz
      )`);

    await q.query(`
      CREATE TABLE recovery_events (
        id                     bigserial PRIMARY KEY,
        breaker_id             integer NOT NULL REFERENCES breakers (id) ON DELETE CASCADE,
        type                   text NOT NULL CHECK (type IN (
                                 'CIRCUIT_OPENED', 'CIRCUIT_HALF_OPENED', 'CIRCUIT_CLOSED',
                                 'RECOVERY_ATTEMPTED', 'RECOVERY_SUCCEEDED', 'RECOVERY_FAILED',
                                 'CIRCUIT_FORCED_OPEN', 'CIRCUIT_DISABLED', 'CIRCUIT_RESET', 'CONFIG_CHANGED')),
        occurred_at            timestamptz NOT NULL,
        duration_since_last_ms double precision,
        from_state             text,
        to_state               text,
        info                   jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX recovery_events_breaker_idx ON recovery_events (breaker_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE recovery_events`);
    await q.query(`DROP TABLE recovery_metrics`);
    await q.query(`DROP TABLE breakers`);
  }
}
