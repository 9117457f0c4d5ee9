import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11's breaker settings (the trip policy, its sliding window, slow calls, the permit
 * timeout), the FAILURE_RATE window itself, and trial permits with identity. Every setting gets
 * its default, so existing breakers keep today's behaviour (CONSECUTIVE_FAILURES, no slow calls).
 * Permits held when this runs carry no id: they are kept, named `legacy-<n>`, until they expire.
 */
export class TripPolicies1795926900000 implements MigrationInterface {
  name = 'TripPolicies1795926900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE breakers
        ADD COLUMN trip_on text NOT NULL DEFAULT 'CONSECUTIVE_FAILURES'
          CHECK (trip_on IN ('CONSECUTIVE_FAILURES', 'FAILURE_RATE')),
        ADD COLUMN window_ms integer NOT NULL DEFAULT 60000,
        ADD COLUMN window_buckets integer NOT NULL DEFAULT 10,
        ADD COLUMN minimum_calls integer NOT NULL DEFAULT 20,
        ADD COLUMN failure_rate_threshold double precision NOT NULL DEFAULT 50,
        ADD COLUMN slow_call_duration_ms double precision,
        ADD COLUMN slow_call_rate_threshold double precision NOT NULL DEFAULT 100,
        ADD COLUMN permit_timeout_ms integer NOT NULL DEFAULT 30000,
        ADD COLUMN permits jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN trip_window jsonb`);
    await q.query(`
      UPDATE breakers SET permits = (
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', 'legacy-' || e.n, 'expiresAt', e.expiry) ORDER BY e.n), '[]')
        FROM jsonb_array_elements(permit_expiries) WITH ORDINALITY AS e(expiry, n))
      WHERE jsonb_array_length(permit_expiries) > 0`);
    await q.query(`ALTER TABLE breakers DROP COLUMN permit_expiries`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE breakers ADD COLUMN permit_expiries jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`
      UPDATE breakers SET permit_expiries = (
        SELECT coalesce(jsonb_agg(p -> 'expiresAt' ORDER BY n), '[]')
        FROM jsonb_array_elements(permits) WITH ORDINALITY AS e(p, n))`);
    await q.query(`
      ALTER TABLE breakers
        DROP COLUMN trip_on, DROP COLUMN window_ms, DROP COLUMN window_buckets, DROP COLUMN minimum_calls,
        DROP COLUMN failure_rate_threshold, DROP COLUMN slow_call_duration_ms, DROP COLUMN slow_call_rate_threshold,
        DROP COLUMN permit_timeout_ms, DROP COLUMN permits, DROP COLUMN trip_window`);
  }
}
