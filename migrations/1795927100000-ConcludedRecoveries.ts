import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Grades are computed over the recoveries concluded within HEALTH_WINDOW_MS: this index finds a
 * breaker's concluded recoveries in a time range without reading its other events.
 */
export class ConcludedRecoveries1795927100000 implements MigrationInterface {
  name = 'ConcludedRecoveries1795927100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX recovery_events_concluded_idx ON recovery_events (breaker_id, occurred_at)
      WHERE type IN ('RECOVERY_SUCCEEDED', 'RECOVERY_FAILED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX recovery_events_concluded_idx`);
  }
}
