import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics kept from every outcome, with no row per outcome:
 * - each breaker's minute (`outcome_buckets`, now the minute of the outcome's `occurredAt`) also counts
 *   its slow calls, the latency histogram of the calls that carried a duration (jsonb
 *   `{ "<bucket index>": count }`, see src/stats/latency-histogram.ts) and the largest duration;
 * - each breaker's hour counts its normalised error messages (`outcome_errors`), at most the 20
 *   most frequent per breaker-hour (the fold trims the rest).
 *
 * A transaction does not merge its histograms and error counts into those rows itself: merging a
 * jsonb histogram of a few hundred buckets costs ~0.1 ms a row, and a busy breaker's minute row is
 * written by every transaction, which halved ingest. It appends them instead, in the same
 * transaction, as one row of `outcome_stat_parts` (its breaker-minutes' histograms and error counts
 * as JSON text), and a fold merges the parts into `outcome_buckets.latency` and `outcome_errors`
 * every few seconds, set-based (src/stats/outcome-stats.store.ts). Counts, slow calls and the max
 * are added to `outcome_buckets` by the transaction itself, as before.
 *
 * calls/failures stay integer: they count one breaker's outcomes in one minute, and 2^31 a minute is
 * 35 million a second, far above what one instance ingests. Readers sum them as bigint or float8.
 * An error count spans an hour of every reporter, so it is a bigint.
 */
export class OutcomeStatistics1795927000000 implements MigrationInterface {
  name = 'OutcomeStatistics1795927000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outcome_buckets
        ADD COLUMN slow_calls integer NOT NULL DEFAULT 0,
        ADD COLUMN latency    jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN max_ms     double precision NULL`);
    await q.query(`
      CREATE TABLE outcome_errors (
        breaker_id    integer NOT NULL REFERENCES breakers (id) ON DELETE CASCADE,
        hour_start    timestamptz NOT NULL,
        message       text NOT NULL CHECK (char_length(message) <= 200),
        count         bigint NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at  timestamptz NOT NULL,
        PRIMARY KEY (breaker_id, hour_start, message)
      )`);
    // Retention deletes by hour across all breakers.
    await q.query(`CREATE INDEX outcome_errors_hour_idx ON outcome_errors (hour_start)`);
    // data: one transaction's histograms and error counts, as JSON text (see src/stats/stat-parts.ts)
    await q.query(`
      CREATE TABLE outcome_stat_parts (
        data         text NOT NULL,
        committed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A part is tens of kB, written once and read once: compressing it cost ingest more than storing it.
    await q.query(`ALTER TABLE outcome_stat_parts ALTER COLUMN data SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outcome_stat_parts`);
    await q.query(`DROP TABLE outcome_errors`);
    await q.query(`
      ALTER TABLE outcome_buckets
        DROP COLUMN max_ms,
        DROP COLUMN latency,
        DROP COLUMN slow_calls`);
  }
}
