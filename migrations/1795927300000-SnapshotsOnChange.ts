import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Health snapshots are written when a breaker's grade or rate changes, or once in
 * HEALTH_SNAPSHOT_EVERY_MS otherwise, no longer on every run: breaker_health remembers the last one
 * written (its rate and time), filled here from the latest snapshot of each breaker.
 */
export class SnapshotsOnChange1795927300000 implements MigrationInterface {
  name = 'SnapshotsOnChange1795927300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE breaker_health ADD COLUMN recovery_rate double precision, ADD COLUMN snapshot_at timestamptz`);
    await q.query(`
      UPDATE breaker_health AS h SET recovery_rate = s.recovery_rate, snapshot_at = s.computed_at
      FROM (SELECT DISTINCT ON (breaker_id) breaker_id, recovery_rate, computed_at
            FROM health_snapshots ORDER BY breaker_id, computed_at DESC, id DESC) AS s
      WHERE h.breaker_id = s.breaker_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE breaker_health DROP COLUMN recovery_rate, DROP COLUMN snapshot_at`);
  }
}
